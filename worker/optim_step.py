"""One optimizer step, the same for pretraining and finetuning: clip the global gradient norm (clip 0 = off), step the
optimizer and the schedule, clear the gradients. Returns the gradient norm and the learning rate the step used."""

import torch


def optimizer_step(model, opt, sched, clip: float) -> tuple[float, float]:
    gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip if clip > 0 else float("inf"))
    lr = opt.param_groups[0]["lr"]
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
    return float(gnorm), lr
