// The job description handed to a builtin stage's process: everything it needs, as plain JSON.
import type { InputItem } from "../../core/input-item.js";
import type { LineageEntry, Resources } from "../stage.js";

export interface BuiltinJob {
  stage: string;
  version: number;
  params: Record<string, unknown>;
  inputs: Record<string, InputItem[]>;
  outDir: string;
  workDir: string;
  checkpointDir: string;
  resources: Resources;
  lineage?: LineageEntry[];
}
