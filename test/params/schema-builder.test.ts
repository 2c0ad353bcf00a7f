// core/schema.ts: the builder writes keywords in author order (the model params it replaced were byte-identical to the
// hand-written schemas, so ajv fills in the same defaults and no key changed), and the static types it derives make
// defaulted fields required and the rest optional.
import { test } from "node:test";
import assert from "node:assert/strict";
import { t, type Static } from "../../core/schema.js";
import { resolveStageParams } from "../../engine/stage-params.js";
import pretrain from "../../stages/model/pretrain.js";
import finetune from "../../stages/model/finetune.js";
import type { PretrainParams } from "../../stages/model/pretrain-params.js";
import type { FinetuneParams } from "../../stages/model/finetune-params.js";
import tokenizeTrain from "../../stages/tokenize/train.js";
import { bpeParams, type TrainParams } from "../../stages/tokenize/train-params.js";

test("defaults are filled in: every defaulted field is present, optional ones stay absent", () => {
  const { params, problems } = resolveStageParams(pretrain, {});
  assert.deepEqual(problems, []);
  const p = params as PretrainParams;
  assert.equal(p.steps, 1000);
  assert.equal(p.model.family, "roberta");
  assert.deepEqual(p.optimizer.betas, [0.9, 0.98]);
  assert.equal(p.threads, 0);
  assert.equal("microBatchSize" in p, false);
  assert.equal("vocabSize" in p.model, false);
  const f = resolveStageParams(finetune, { task: "prom/x" });
  assert.deepEqual(f.problems, []);
  assert.equal("model" in f.params, false, "init: pretrained gets no architecture");
  const scratch = resolveStageParams(finetune, { task: "prom/x", init: "scratch" }).params as FinetuneParams;
  assert.equal(scratch.model?.layers, 6);
  assert.equal(resolveStageParams(finetune, {}).problems[0]?.message, "missing required param 'task'");
});

test("builder keywords: author order, nullable in place, closed objects, enums of mixed literals", () => {
  assert.equal(JSON.stringify(t.integer({ minimum: 0, default: 3, description: "d" })), '{"type":"integer","minimum":0,"default":3,"description":"d"}');
  assert.equal(JSON.stringify(t.nullable(t.number({ exclusiveMinimum: 0 }))), '{"type":["number","null"],"exclusiveMinimum":0}');
  assert.equal(
    JSON.stringify(t.object({ a: t.string() }, { default: {}, required: ["a"], description: "o" })),
    '{"type":"object","default":{},"additionalProperties":false,"properties":{"a":{"type":"string"}},"required":["a"],"description":"o"}',
  );
  assert.equal(JSON.stringify(t.array(t.number(), { minItems: 1, default: [1] })), '{"type":"array","items":{"type":"number"},"minItems":1,"default":[1]}');
  assert.equal(JSON.stringify(t.enum(["auto", true, false], { default: "auto" })), '{"enum":["auto",true,false],"default":"auto"}');
  assert.equal(
    JSON.stringify(t.params({ x: t.boolean() }, { required: ["x"] })),
    '{"properties":{"x":{"type":"boolean"}},"required":["x"],"additionalProperties":false}',
  );
});

// Compile-time: these lines fail `npm run build` if Static derives the wrong types.
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- read only through `typeof S` below
const S = t.params({ d: t.integer({ default: 1 }), o: t.string(), r: t.string(), n: t.nullable(t.number()), e: t.enum(["a", 1, true]) }, { required: ["r"] });
const staticChecks: Array<true> = [
  true as Equal<Static<typeof S>, { d: number; r: string; o?: string; n?: number | null; e?: "a" | 1 | true }>,
  true as Equal<PretrainParams["steps"], number>,
  true as Equal<PretrainParams["compile"], "auto" | boolean>,
  true as Equal<PretrainParams["microBatchSize"], number | undefined>,
  true as Equal<PretrainParams["model"]["vocabSize"], number | undefined>,
  true as Equal<PretrainParams["optimizer"]["betas"], number[]>,
  true as Equal<FinetuneParams["task"], string>,
  true as Equal<FinetuneParams["lr"], number | null | undefined>,
  true as Equal<FinetuneParams["seed"], number>,
];
test("static types (checked by the compiler)", () => assert.equal(staticChecks.length, 9));

test("t.types and t.params' allOf: the JSON keywords as written, and tokenize/train's per-kind defaults through ajv", () => {
  const v = t.types(["string", "number", "boolean"], { description: "d" });
  assert.deepEqual(v, { type: ["string", "number", "boolean"], description: "d" });
  const value: Static<typeof v> = true; // string | number | boolean
  assert.equal(value, true);
  const s = t.params({ n: t.integer() }, { allOf: [{ if: { properties: { n: { const: 1 } } }, then: {}, else: {} }] });
  assert.deepEqual(Object.keys(s), ["properties", "additionalProperties", "allOf"]);
  const bpe = resolveStageParams(tokenizeTrain, { kind: "bpe" });
  assert.deepEqual(bpe.problems, []);
  assert.equal(bpeParams(bpe.params as TrainParams).vocabSize, 4096);
  const kmer = resolveStageParams(tokenizeTrain, { kind: "kmer-overlapping" }).params as TrainParams;
  assert.equal(kmer.k, 6);
  assert.equal("vocabSize" in kmer, false);
  assert.throws(() => bpeParams(kmer), /lack the BPE defaults/);
  assert.notDeepEqual(resolveStageParams(tokenizeTrain, { kind: "kmer-overlapping", vocabSize: 100 }).problems, []);
});
