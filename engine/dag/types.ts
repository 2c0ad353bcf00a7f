// Stage instances: one per stage and matrix combination, with everything resolved except runtime paths.
import type { MatrixCoords } from "../../core/instance-id.js";
import type { Resources, StageDefinition } from "../stage.js";
import type { RetryPolicy, StageSpec } from "../spec/types.js";

export type BoundInput = { kind: "stage"; from: StageInstance; output: string } | { kind: "file"; path: string; shown: string };

export interface StageInstance {
  /** Unique id: the stage id, plus matrix coordinates: finetune[tokenizer=kmer6,task=prom]. */
  id: string;
  stageId: string;
  coords: MatrixCoords;
  spec: StageSpec;
  def?: StageDefinition;
  /** `with:` after expressions (and, for builtins, after schema defaults). */
  params: Record<string, unknown>;
  /** run: stages: argv/command with params and matrix substituted; ${{ inputs.x }}/${{ outputs.x }} left for run time. */
  run?: { argv?: string[]; command?: string; shell: boolean };
  inputs: Record<string, BoundInput[]>;
  outputs: string[];
  resources: Resources;
  retries: RetryPolicy;
  timeoutMs?: number;
  env: Record<string, string>;
  passEnv: string[];
  /** Upstream instances, unique, in topological order. */
  deps: StageInstance[];
}

export interface Dag {
  /** Topological order. */
  instances: StageInstance[];
  byId: Map<string, StageInstance>;
}
