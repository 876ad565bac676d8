"""torch.cuda's queries, answered for MindSpore's device target (see ``msbridge.torch.device``); ``amp``."""
from __future__ import annotations

import mindspore

from msbridge.torch.cuda import amp
from msbridge.torch.random import manual_seed as _manual_seed


def is_available() -> bool:
    return mindspore.get_context("device_target") == "GPU"


def device_count() -> int:
    return 1 if is_available() else 0


def manual_seed(seed) -> None:
    """torch seeds the CUDA generators here; MindSpore has one global seed."""
    _manual_seed(seed)


def manual_seed_all(seed) -> None:
    _manual_seed(seed)
