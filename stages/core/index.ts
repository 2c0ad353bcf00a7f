import type { StageDefinition } from "../../engine/stage.js";
import writeText from "./write-text.js";

export const coreStages: StageDefinition[] = [writeText];
