import type { StageDefinition } from "../../engine/stage.js";
import summary from "./summary.js";

export const reportStages: StageDefinition[] = [summary];
