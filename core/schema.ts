// A small typed JSON-Schema builder: a builtin writes its params once and gets both the JSON Schema (plain data, for
// ajv and the worker) and the TypeScript type (Static<typeof S>). A field with a `default` is filled in before a stage
// sees its params, so Static makes it required; a field without one (and not in `required`) is optional.
// Keywords are emitted in the order the options are written, so a schema's JSON bytes are exactly what the author wrote.

/** The TypeScript type a schema describes, and whether the value is always present once defaults are filled in. */
declare const STATIC: unique symbol;
declare const PRESENT: unique symbol;

export type Schema<T = unknown, Present extends boolean = boolean> = { readonly [keyword: string]: unknown } & {
  readonly [STATIC]?: T;
  readonly [PRESENT]?: Present;
};

export type Static<S> = S extends Schema<infer T, boolean> ? T : never;

/** True when the options carry a default (so the field is never absent after validation). */
type HasDefault<O> = O extends { default: unknown } ? true : false;

interface Annotations {
  description?: string;
}
export interface NumberOptions extends Annotations {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: number;
}
export interface StringOptions extends Annotations {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: string;
}
export interface ArrayOptions<T> extends Annotations {
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  default?: T[];
}
export interface ObjectOptions<K> extends Annotations {
  /** Keys that must be given (no default); required in the static type as well. */
  required?: readonly K[];
  default?: Record<string, never>;
}

type Props = Record<string, Schema>;
type PresentKeys<P extends Props, R extends PropertyKey> = {
  [K in keyof P]: K extends R ? K : P[K] extends Schema<unknown, true> ? K : never;
}[keyof P];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectStatic<P extends Props, R extends PropertyKey = never> = Simplify<
  { [K in PresentKeys<P, R>]: Static<P[K]> } & { [K in Exclude<keyof P, PresentKeys<P, R>>]?: Static<P[K]> }
>;

type Literal = string | number | boolean | null;

function integer<const O extends NumberOptions>(options: O = {} as O): Schema<number, HasDefault<O>> & O & { type: "integer" } {
  return { type: "integer", ...options } as never;
}

function number<const O extends NumberOptions>(options: O = {} as O): Schema<number, HasDefault<O>> & O & { type: "number" } {
  return { type: "number", ...options } as never;
}

function string<const O extends StringOptions>(options: O = {} as O): Schema<string, HasDefault<O>> & O & { type: "string" } {
  return { type: "string", ...options } as never;
}

function boolean<const O extends Annotations & { default?: boolean }>(options: O = {} as O): Schema<boolean, HasDefault<O>> & O & { type: "boolean" } {
  return { type: "boolean", ...options } as never;
}

/** One of the listed values (strings, numbers, booleans or null): `t.enum(["auto", true, false])` is "auto" | boolean. */
function enumOf<const V extends readonly Literal[], const O extends Annotations & { default?: V[number] }>(
  values: V,
  options: O = {} as O,
): Schema<V[number], HasDefault<O>> & O & { enum: V } {
  return { enum: values, ...options } as never;
}

function array<I extends Schema, const O extends ArrayOptions<Static<I>>>(items: I, options: O = {} as O): Schema<Static<I>[], HasDefault<O>> & O {
  const { minItems, maxItems, ...rest } = options;
  return { type: "array", items, ...(minItems !== undefined ? { minItems } : {}), ...(maxItems !== undefined ? { maxItems } : {}), ...rest } as never;
}

/** A closed object (additionalProperties: false). A `default: {}` makes its own defaulted fields appear when it is absent. */
function object<P extends Props, const O extends ObjectOptions<keyof P & string>>(
  properties: P,
  options: O = {} as O,
): Schema<ObjectStatic<P, O extends { required: readonly (infer R)[] } ? R : never>, HasDefault<O>> & { properties: P } {
  const { required, description, ...rest } = options;
  return {
    type: "object",
    ...rest,
    additionalProperties: false,
    properties,
    ...(required ? { required } : {}),
    ...(description !== undefined ? { description } : {}),
  } as never;
}

/** One conditional of a params schema: where `if` holds, `then` applies (defaults, `false` to forbid), else `else`. */
export interface Conditional {
  if: Record<string, unknown>;
  then?: Record<string, unknown>;
  else?: Record<string, unknown>;
}

/**
 * A builtin's `params:` (the engine adds `type: "object"`). Conditional keywords (if/then/else, or allOf for several)
 * are plain JSON Schema: the fields they default stay optional in the static type, as they are absent for other cases.
 */
function params<P extends Props, const R extends keyof P & string = never>(
  properties: P,
  options: { required?: readonly R[]; allOf?: readonly Conditional[] } & Partial<Conditional> = {},
): Schema<ObjectStatic<P, R>, true> & { properties: P } {
  const { required, ...conditional } = options;
  return { properties, ...(required ? { required } : {}), additionalProperties: false, ...conditional } as never;
}

type JsonTypeName = "string" | "number" | "integer" | "boolean" | "null";
type JsonTypeOf<N> = N extends "string" ? string : N extends "number" | "integer" ? number : N extends "boolean" ? boolean : N extends "null" ? null : never;

/** A value of any of the listed JSON types (`type: ["string", "number"]`): `t.types(["string", "number"])` is string | number. */
function types<const N extends readonly JsonTypeName[], const O extends Annotations & { default?: JsonTypeOf<N[number]> }>(
  names: N,
  options: O = {} as O,
): Schema<JsonTypeOf<N[number]>, HasDefault<O>> & O & { type: N } {
  return { type: names, ...options } as never;
}

/** The same schema, also accepting null (kept in the `type` keyword's place, so the bytes stay in author order). */
function nullable<S extends Schema & { type: string }>(schema: S): Schema<Static<S> | null, false> & { type: [S["type"], "null"] } {
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => (k === "type" ? [k, [v, "null"]] : [k, v]))) as never;
}

export const t = { integer, number, string, boolean, enum: enumOf, types, array, object, params, nullable };
