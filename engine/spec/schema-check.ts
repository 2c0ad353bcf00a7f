// Validates the parsed YAML against schema/pipeline.schema.json; each ajv error becomes a positioned problem.
import AjvModule from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ProblemList } from "../../core/errors.js";
import { didYouMean } from "../../core/suggest.js";
import type { JsonPath, SourceDoc } from "./source.js";

const Ajv = AjvModule.default ?? AjvModule;
let validator: ValidateFunction | undefined;
let schema: any;

export function pipelineSchema(): any {
  schema ??= JSON.parse(readFileSync(fileURLToPath(new URL("../../../schema/pipeline.schema.json", import.meta.url)), "utf8"));
  return schema;
}

function compiled(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(pipelineSchema());
  return validator;
}

// A numeric segment is a list index (the source finds mapping keys by their text either way).
const toPath = (pointer: string): JsonPath =>
  pointer
    .split("/")
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, "/").replace(/~0/g, "~")));

/** Adds one problem per offending location; returns false when the document is unusable. */
export function checkSchema(data: unknown, src: SourceDoc, problems: ProblemList): boolean {
  const validate = compiled();
  if (validate(data)) return true;
  const errors = validate.errors ?? [];
  const seen = new Set<string>();
  // Branch errors of anyOf/oneOf are noise next to the summary error at the same place: keep the clearest one.
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e]);
  for (const e of errors) {
    const path = toPath(e.instancePath);
    const msg = describe(e, byPath.get(e.instancePath) ?? [], data, path);
    if (!msg) continue;
    const id = `${e.instancePath}|${msg}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const atKey = e.keyword === "additionalProperties" || e.keyword === "propertyNames";
    const keyName =
      e.keyword === "additionalProperties"
        ? (e.params as { additionalProperty: string }).additionalProperty
        : (e.params as { propertyName?: string }).propertyName;
    const fullPath = atKey && keyName !== undefined ? [...path, keyName] : path;
    problems.add(msg, src.pos(fullPath, { key: atKey }));
  }
  return false;
}

function describe(e: ErrorObject, siblings: ErrorObject[], data: unknown, path: JsonPath): string | undefined {
  const where = path.length ? path.join(".") : "pipeline";
  switch (e.keyword) {
    case "additionalProperties": {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      return `unknown key '${key}' in ${where}${didYouMean(key, allowed)}`;
    }
    case "required":
      // uses/run are alternatives (oneOf): the oneOf message says it better.
      if (siblings.some((s) => s.keyword === "oneOf")) return undefined;
      return `${where}: missing required key '${(e.params as { missingProperty: string }).missingProperty}'`;
    case "type":
      if (siblings.some((s) => s.keyword === "anyOf")) return undefined;
      return `${where}: must be ${(e.params as { type: string }).type}, got ${typeName(valueAt(data, path))}`;
    case "oneOf":
    case "not":
      return stageKindMessage(where, valueAt(data, path));
    case "anyOf": {
      // Only speak for anyOf when no branch produced a more specific message at the same place.
      const specific = siblings.some((s) => !["anyOf", "type", "pattern", "exclusiveMinimum", "minimum"].includes(s.keyword));
      if (specific) return undefined;
      const desc = (e.parentSchema as { description?: string })?.description;
      return `${where}: invalid value ${JSON.stringify(valueAt(data, path))}${desc ? ` (${desc})` : ""}`;
    }
    case "pattern":
    case "exclusiveMinimum":
    case "minimum":
      if ((e as { propertyName?: string }).propertyName !== undefined) return undefined; // see propertyNames
      // Inside anyOf these are reported by the anyOf summary.
      if (siblings.some((s) => s.keyword === "anyOf")) return undefined;
      return `${where}: ${e.message}`;
    case "propertyNames":
      return `${where}: invalid name '${(e.params as { propertyName: string }).propertyName}' (letters, digits, '_' and '-'; not starting with a digit)`;
    case "minProperties":
      return `${where}: must not be empty`;
    case "minItems":
      return `${where}: must have at least ${(e.params as { limit: number }).limit} item(s)`;
    default:
      return `${where}: ${e.message}`;
  }
}

function stageKindMessage(where: string, v: unknown): string {
  const o = (v ?? {}) as Record<string, unknown>;
  if ("uses" in o && "run" in o) return `${where}: a stage has either 'uses:' (a builtin) or 'run:' (a command), not both`;
  return `${where}: a stage needs 'uses:' (a builtin, e.g. genome/strip-n@1) or 'run:' (a command)`;
}

function valueAt(data: unknown, path: JsonPath): unknown {
  let v: any = data;
  for (const s of path) v = v?.[s];
  return v;
}

function typeName(v: unknown): string {
  return Array.isArray(v) ? "array" : v === null ? "null" : typeof v;
}
