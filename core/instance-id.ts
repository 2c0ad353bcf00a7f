// Stage instance ids, `stage[axis=value,…]`: made when the DAG expands a matrix, read back by `compare` from run records.

/** Matrix coordinates of a stage instance, e.g. { tokenizer: "kmer6", task: "prom_core_tata" }. */
export type MatrixCoords = Record<string, string | number | boolean>;

/** "finetune" + { seed: 1, task: "tf/0" } → "finetune[seed=1,task=tf/0]" (coordinates in the order given). */
export function instanceId(stageId: string, coords: MatrixCoords): string {
  const keys = Object.keys(coords);
  return keys.length ? `${stageId}[${keys.map((k) => `${k}=${coords[k]}`).join(",")}]` : stageId;
}

/** The stage id of an instance id: "finetune[seed=1]" → "finetune". */
export function stageIdOf(id: string): string {
  return id.replace(/\[.*$/, "");
}

/** Matrix coordinates from an instance id: "finetune[seed=1,task=tf/0]" → { seed: 1, task: "tf/0" }. */
export function coordsFromInstanceId(id: string): MatrixCoords {
  const m = /^[^[]+\[(.*)\]$/.exec(id);
  if (!m) return {};
  const out: MatrixCoords = {};
  for (const part of m[1].split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const v = part.slice(eq + 1);
    out[part.slice(0, eq)] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v === "true" ? true : v === "false" ? false : v;
  }
  return out;
}
