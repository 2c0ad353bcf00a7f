// The params schemas the Python worker validates its config against, by worker command. Exported as JSON to
// worker/schemas/<name>.params.json (scripts/export-worker-schemas.mjs), committed so the worker runs without Node.
import { pretrainParamsSchema } from "./pretrain-params.js";
import { finetuneParamsSchema } from "./finetune-params.js";

export const WORKER_SCHEMAS = { pretrain: pretrainParamsSchema, finetune: finetuneParamsSchema };

/** The exact bytes of an exported schema file. */
export const workerSchemaJson = (schema: object): string => JSON.stringify(schema, null, 2) + "\n";
