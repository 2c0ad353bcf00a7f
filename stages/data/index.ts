import type { StageDefinition } from "../../engine/stage.js";
import benchmark from "./benchmark.js";

export const dataStages: StageDefinition[] = [benchmark];
