// The builtin stage registry: every family's index lists its stages; `uses: name@version` resolves here.
import type { StageDefinition } from "../engine/stage.js";
import { coreStages } from "./core/index.js";
import { dataStages } from "./data/index.js";
import { evalStages } from "./eval/index.js";
import { genomeStages } from "./genome/index.js";
import { modelStages } from "./model/index.js";
import { reportStages } from "./report/index.js";
import { tokenizeStages } from "./tokenize/index.js";

export const builtinStages: StageDefinition[] = [
  ...coreStages,
  ...genomeStages,
  ...tokenizeStages,
  ...modelStages,
  ...dataStages,
  ...evalStages,
  ...reportStages,
];
