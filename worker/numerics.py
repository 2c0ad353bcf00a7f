"""Training results that do not depend on the thread count or on which x86 CPU runs them (deterministic mode, CPU).

Measured on torch 2.13 CPU (docs/pretraining.md, "Determinism"): with torch.use_deterministic_algorithms(True), a
step's gradients were bit-identical for 1, 2, 4 and 8 threads except LayerNorm's weight and bias gradients — its
fused CPU backward sums them over rows in per-thread partial buffers, so the sum's order follows the thread count.
Everything else measured (SDPA attention, GEMMs up to hidden 768, embedding backward, the clipped gradient norm,
AdamW) was independent of it. And the same gradients differed between ATen's AVX2 and AVX-512 kernels, so results
also depended on the CPU generation. Hence:

- `pin_cpu_kernels()` (before torch is imported): ATen's AVX2 kernels on any x86-64 CPU that has AVX2 (every one
  since 2013–2015). MKL is left alone: any MKL_CBWR setting (AVX2, AUTO,STRICT, AVX2,STRICT) made small GEMMs
  (16×32 · 32×32) differ between 1 and 3+ threads, which they do not without it; MKL then picks its code path per CPU.
- training batches padded to a multiple of 8 tokens (see MULTIPLE below).
- `deterministic_layer_norms(model)`: each LayerNorm normalizes with F.layer_norm without affine parameters and then
  applies weight and bias as plain tensor ops, whose backward reductions split over output elements only (one thread
  sums each element, in a fixed order). The same parameters and state dict, so exported models load unchanged.
"""

import os
import platform

# Set by pin_cpu_kernels(): what the worker asked for (reported in the start event and the stage's manifest meta).
PINNED: dict = {}


def _cpu_flags() -> set:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def pin_cpu_kernels() -> dict:
    """Pins ATen's x86 kernels to AVX2 (unless the user set ATEN_CPU_CAPABILITY). Must run before `import torch`."""
    if PINNED or platform.machine().lower() not in ("x86_64", "amd64"):
        return PINNED
    flags = _cpu_flags()
    if {"avx2", "fma"} <= flags:
        os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")
    PINNED.update({k: os.environ[k] for k in ("ATEN_CPU_CAPABILITY", "MKL_CBWR") if k in os.environ})
    return PINNED


def _layer_norm_forward(self, x):
    import torch.nn.functional as F

    y = F.layer_norm(x, self.normalized_shape, None, None, self.eps)
    if self.weight is not None:
        y = y * self.weight
    if self.bias is not None:
        y = y + self.bias
    return y


# Attention with dropout (training) gave query/key gradients that differed between thread counts whenever the sequence
# length was not a multiple of 8 (measured for every length 8..128: 9, 17, 33, 34, 50, 100, 127 differed, 8, 16, ...,
# 128 did not). Training batches are padded to a multiple of 8 with masked pad tokens, which changes no real position.
MULTIPLE = 8


def pad_width(length: int) -> int:
    """Columns of padding that make `length` a multiple of MULTIPLE."""
    return -length % MULTIPLE


def deterministic_layer_norms(model) -> int:
    """Replaces the forward of every torch.nn.LayerNorm in `model` (see the module doc); returns how many."""
    import types

    from torch import nn

    n = 0
    for m in model.modules():
        if isinstance(m, nn.LayerNorm) and m.elementwise_affine:
            m.forward = types.MethodType(_layer_norm_forward, m)
            n += 1
    return n


def describe(torch) -> dict:
    """What the run's numerics depend on, for the start event (→ the manifest's meta): never part of the outputs."""
    return {"threads": torch.get_num_threads(), "cpuCapability": torch.backends.cpu.get_cpu_capability(), **PINNED}
