import type { StageDefinition } from "../../engine/stage.js";
import encode from "./encode.js";
import train from "./train.js";

export const tokenizeStages: StageDefinition[] = [train, encode];
