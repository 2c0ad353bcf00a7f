import type { StageDefinition } from "../../engine/stage.js";
import pretrain from "./pretrain.js";

export const modelStages: StageDefinition[] = [pretrain];
