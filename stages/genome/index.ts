// The genome family: reference genome → N-free fragments → seeded segments → train/validation/test.
import type { StageDefinition } from "../../engine/stage.js";
import download from "./download.js";
import segment from "./segment.js";
import split from "./split.js";
import stripN from "./strip-n.js";

export const genomeStages: StageDefinition[] = [download, stripN, segment, split];
