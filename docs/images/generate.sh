#!/usr/bin/env bash
# Regenerates the README's plots (and their values, which tests/cli/test_cli_readme_images.py
# checks against a fresh run). Run from the repository root: bash docs/images/generate.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

# MindSpore -> torch: a per-step LR list, the torch scheduler the mapping table gives, msbridge's own
python -m msbridge plot "nn.exponential_decay_lr(0.1, 0.9, 600, 20, 5, is_stair=True)" --vs torch --vs msbridge \
    -o docs/images/lr_curve.png --csv docs/images/lr_curve.csv

# torch -> MindSpore: a per-epoch torch scheduler and its MindSpore counterparts
python -m msbridge plot "lr_scheduler.CosineAnnealingLR(T_max=30, eta_min=0.001)" --lr 0.1 --epochs 30 \
    --steps-per-epoch 10 -o docs/images/torch_cosine.png --csv docs/images/torch_cosine.csv
