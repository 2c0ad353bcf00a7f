import type { StageDefinition } from "../../engine/stage.js";
import baseline from "./baseline.js";
import metrics from "./metrics.js";

export const evalStages: StageDefinition[] = [metrics, baseline];
