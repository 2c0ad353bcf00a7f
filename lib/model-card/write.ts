// Writes README.md (the model card) into a model directory: what model/pretrain, model/finetune and model/import call.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderModelCard, type ModelCard } from "./card.js";

export async function writeModelCard(modelDir: string, card: ModelCard): Promise<void> {
  await writeFile(join(modelDir, "README.md"), renderModelCard(card));
}

export { renderModelCard, fmt, type ModelCard, type CardResult } from "./card.js";
export { trainingData, type LineageStep } from "./lineage.js";
export { pretrainCard, type PretrainFacts } from "./pretrain.js";
export { finetuneCard, type FinetuneFacts } from "./finetune.js";
