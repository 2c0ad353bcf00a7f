"""dnaflow's training worker: `python -m worker pretrain --config cfg.json` (see docs/pretraining.md)."""
