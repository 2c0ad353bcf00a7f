// Validates a builtin's `with:` params against its schema and fills in defaults (the key sees the filled-in params).
import AjvModule from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { StageDefinition } from "./stage.js";

const Ajv = AjvModule.default ?? AjvModule;
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const compiled = new WeakMap<StageDefinition, ValidateFunction>();

export interface ParamProblem {
  /** JSON pointer into the params, e.g. "/minLength". */
  pointer: string;
  message: string;
  /** For additionalProperties: the unknown key; callers add did-you-mean. */
  unknownKey?: string;
}

function validatorFor(def: StageDefinition): ValidateFunction {
  let v = compiled.get(def);
  if (!v) {
    v = ajv.compile({ type: "object", ...def.params });
    compiled.set(def, v);
  }
  return v;
}

/** Returns the params with defaults applied (a deep copy), or the problems found. */
export function resolveStageParams(def: StageDefinition, raw: Record<string, unknown>): { params: Record<string, unknown>; problems: ParamProblem[] } {
  const params = structuredClone(raw ?? {});
  const validate = validatorFor(def);
  if (validate(params)) return { params, problems: [] };
  return { params, problems: (validate.errors ?? []).map(toProblem) };
}

/** The params the key sees: all of them except the stage's declared `unkeyed` ones. */
export function keyedParams<T extends Record<string, unknown>>(def: Pick<StageDefinition, "unkeyed"> | undefined, params: T): T {
  if (!def?.unkeyed?.length) return params;
  const out: Record<string, unknown> = { ...params };
  for (const name of def.unkeyed) delete out[name];
  return out as T;
}

function toProblem(e: ErrorObject): ParamProblem {
  if (e.keyword === "additionalProperties") {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    return { pointer: `${e.instancePath}/${key}`, message: `unknown param '${key}'`, unknownKey: key };
  }
  if (e.keyword === "enum") {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return { pointer: e.instancePath, message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}` };
  }
  if (e.keyword === "required") {
    const key = String((e.params as { missingProperty: string }).missingProperty);
    return { pointer: e.instancePath, message: `missing required param '${key}'` };
  }
  return { pointer: e.instancePath, message: e.message ?? "invalid" };
}
