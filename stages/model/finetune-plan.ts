// model/finetune's plan-time checks: init/model agreement and the task against what the tasks input will hold, so
// these mistakes fail `dnaflow plan` with file:line:col instead of minutes into a run (the run checks them again).
import type { PlanInput, PlanView } from "../../engine/stage.js";
import { didYouMean } from "../../core/suggest.js";
import { plannedTaskNames } from "../../lib/benchmark/select.js";
import { suiteNames } from "../../lib/benchmark/suites.js";
import type { FinetuneParams } from "./finetune-params.js";

export function finetunePlanCheck({ params: p, inputs }: PlanView<FinetuneParams>): Array<{ message: string; path?: string[] }> {
  const out: Array<{ message: string; path?: string[] }> = [];
  const hasModel = (inputs.model ?? []).length > 0;
  if (p.init === "pretrained" && !hasModel)
    out.push({ message: "init: pretrained needs the `model` input (a model/pretrain or model/import output); bind it, or set init: scratch", path: ["init"] });
  if (p.init === "scratch" && hasModel)
    out.push({
      message: "init: scratch trains from random weights, but the `model` input is bound; leave it unbound, or set init: pretrained",
      path: ["init"],
    });
  if (p.init === "pretrained" && p.model !== undefined)
    out.push({
      message: "model: an architecture is given but init is pretrained, whose architecture is the `model` input's; remove model:, or set init: scratch",
      path: ["model"],
    });
  const names = taskNames(inputs.tasks);
  if (names && !names.includes(p.task))
    out.push({ message: `task: no task '${p.task}' in the tasks input${didYouMean(p.task, names)}; it will hold: ${names.join(", ")}`, path: ["task"] });
  return out;
}

/** Task names the bound data/benchmark stage will write, when its source is a local folder; else undefined. */
function taskNames(tasks: PlanInput[] | undefined): string[] | undefined {
  if (tasks?.length !== 1) return undefined;
  const t = tasks[0];
  if (t.kind !== "stage" || t.uses !== "data/benchmark" || t.params.url !== undefined) return undefined;
  const src = t.inputs.source;
  if (src?.length !== 1 || src[0].kind !== "file") return undefined;
  return plannedTaskNames(src[0].path, t.params.tasks as string[], suiteNames(), t.params.name as string | undefined);
}
