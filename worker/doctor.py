"""What this interpreter can do for training: Python, torch, CUDA, GPUs, and which requirements are missing/off-pin."""

import importlib.metadata as md
import os
import platform
import sys


def report() -> dict:
    out = {"python": sys.version.split()[0], "executable": sys.executable, "platform": platform.platform(), "packages": {}, "missing": [], "mismatched": []}
    req = os.path.join(os.path.dirname(__file__), "requirements.txt")
    for line in open(req):
        line = line.split("#")[0].strip()
        if not line:
            continue
        name, _, want = line.partition("==")
        try:
            have = md.version(name)
            out["packages"][name] = have
            if want and have.split("+")[0] != want:
                out["mismatched"].append(f"{name}=={want} (have {have})")
        except md.PackageNotFoundError:
            out["missing"].append(line)
    try:
        import torch

        out["torch"] = torch.__version__
        out["cuda"] = torch.version.cuda
        out["cudaAvailable"] = torch.cuda.is_available()
        out["gpus"] = (
            [
                {
                    "name": torch.cuda.get_device_name(i),
                    "memoryGiB": round(torch.cuda.get_device_properties(i).total_memory / 2**30, 1),
                    "bf16": torch.cuda.is_bf16_supported(),
                }
                for i in range(torch.cuda.device_count())
            ]
            if torch.cuda.is_available()
            else []
        )
        out["threads"] = torch.get_num_threads()
    except ImportError:
        out["torch"] = None
    return out
