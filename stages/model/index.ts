import type { StageDefinition } from "../../engine/stage.js";
import pretrain from "./pretrain.js";
import finetune from "./finetune.js";
import modelImport from "./import.js";

export const modelStages: StageDefinition[] = [pretrain, finetune, modelImport];
