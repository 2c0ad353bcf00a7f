// What makes a task unusable as a whole, beyond bad rows: a missing train or test split, and class labels that cannot
// be learned or evaluated (an absurd class count, a class only in dev/test, a single class). Each is a StageInputError
// naming the file and line.
import { StageInputError } from "../../core/errors.js";
import type { SplitData } from "./task-csv.js";

/** No DNA benchmark has anywhere near this many classes; a label past it is a typo or a regression column. */
export const MAX_CLASSES = 10_000;

/** `display(split)` names a split's file in messages; `folder` names the task's folder. */
export function checkTaskSplits(task: string, splits: Record<string, SplitData>, folder: string): void {
  for (const s of ["train", "test"]) {
    if (!splits[s]) throw new StageInputError(`${folder}: task '${task}' has no ${s}.csv (a task needs train.csv and test.csv; dev.csv is optional)`);
  }
}

export function checkClasses(task: string, splits: Record<string, SplitData>, display: (split: string) => string): void {
  for (const [s, d] of Object.entries(splits)) {
    for (let i = 0; i < d.values.length; i++) {
      const v = d.values[i];
      if (v < 0) throw new StageInputError(`${display(s)}:${d.lines[i]}: class label ${d.labels[i]} is negative (classes are 0, 1, …)`);
      if (v >= MAX_CLASSES)
        throw new StageInputError(
          `${display(s)}:${d.lines[i]}: class label ${d.labels[i]} would make ${(v + 1).toLocaleString("en-US")} classes (labels are class indices 0, 1, …; at most ${MAX_CLASSES.toLocaleString("en-US")}); for real-valued targets set kind: regression`,
        );
    }
  }
  const train = new Set(splits.train.values);
  const known = [...train].sort((a, b) => a - b).join(", ");
  for (const [s, d] of Object.entries(splits)) {
    if (s === "train") continue;
    const i = d.values.findIndex((v) => !train.has(v));
    if (i >= 0)
      throw new StageInputError(
        `${display(s)}:${d.lines[i]}: class label ${d.labels[i]} does not occur in train.csv (its classes: ${known}): a model cannot learn it`,
      );
  }
  if (train.size < 2)
    throw new StageInputError(`${display("train")}: task '${task}' has a single class (${known}): there is nothing to classify, and MCC is undefined`);
}
