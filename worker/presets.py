"""Finetuning hyperparameters per task family, from the papers' published scripts (`preset:` of model/finetune).

Each preset is a list of (glob over the task name, values); the first glob that matches the task name wins. Task names
are benchmark task paths as data/benchmark@1 writes them (`EMP/H3`, `prom/prom_core_tata`, `tf/0`, …); a leading suite
name (`gue/`) is ignored. Explicit `lr`, `batchSize`, `epochs`, `warmupSteps`, `evalEvery` params override a preset.

Sources
- dnabert2: MAGICS-LAB/DNABERT_2, finetune/scripts/run_dnabert2.sh (single GPU, so per_device_train_batch_size is the
  global batch), and the DNABERT-2 paper (ICLR 2024), appendix: "learning rate 3e-5" (the script at commit 603b20af sets
  lr=2e-5; the paper's 3e-5 is used here). warmup_steps 50 (30 for mouse and tf), eval_steps 200 (400 for
  prom_core_all/notata and prom_300_all/notata); mouse tasks also stop at max_steps 1000.
- randommask: the RandomMask paper's appendix (finetuning): lr 3e-5 with batch 32 on EMP, lr 1e-4 with batch 64 on the
  other GUE tasks. The appendix gives no per-family epochs; the DNABERT-2 script's epochs, warmup and eval interval are
  used for them.
- none: the generic defaults below (lr 3e-5, batch 32, 3 epochs), so every hyperparameter comes from params.

`maxLength` is not in the presets: the DNABERT-2 script's model_max_length (20 for prom_core, 128 for EMP, …) is in
BPE tokens, about a quarter of the sequence length, i.e. chosen to cover the whole sequence with DNABERT-2's tokenizer.
With other tokenizers the same rule is `auto`: the longest tokenized sequence of the task (capped by the model's
positions), which is the default.
"""

from fnmatch import fnmatchcase

GENERIC = {"lr": 3e-5, "batchSize": 32, "epochs": 3, "warmupSteps": 50, "evalEvery": 200, "maxSteps": 0}

_D2 = {"lr": 3e-5, "warmupSteps": 50, "evalEvery": 200, "maxSteps": 0}

DNABERT2 = [
    ("EMP/*", {**_D2, "batchSize": 32, "epochs": 3}),
    ("prom/prom_core_tata", {**_D2, "batchSize": 32, "epochs": 10}),
    ("prom/prom_core_*", {**_D2, "batchSize": 32, "epochs": 4, "evalEvery": 400}),
    ("prom/prom_300_tata", {**_D2, "batchSize": 8, "epochs": 10}),
    ("prom/prom_300_*", {**_D2, "batchSize": 32, "epochs": 4, "evalEvery": 400}),
    ("splice/*", {**_D2, "batchSize": 8, "epochs": 5}),
    ("virus/*", {**_D2, "batchSize": 32, "epochs": 8}),
    ("mouse/*", {**_D2, "batchSize": 8, "epochs": 5, "warmupSteps": 30, "maxSteps": 1000}),
    ("tf/*", {**_D2, "batchSize": 8, "epochs": 3, "warmupSteps": 30}),
    ("*", {**GENERIC}),
]

RANDOMMASK = [
    ("EMP/*", {**dict(DNABERT2)["EMP/*"], "lr": 3e-5, "batchSize": 32}),
    *[(g, {**v, "lr": 1e-4, "batchSize": 64}) for g, v in DNABERT2 if g != "EMP/*"],
]

PRESETS = {"dnabert2": DNABERT2, "randommask": RANDOMMASK, "none": [("*", GENERIC)]}


def preset_for(preset: str, task: str) -> dict:
    """The preset's values for a task name (a copy)."""
    if preset not in PRESETS:
        raise KeyError(preset)
    name = task.split("/", 1)[1] if task.lower().startswith("gue/") else task
    for glob, values in PRESETS[preset]:
        if fnmatchcase(name, glob):
            return dict(values)
    return dict(GENERIC)
