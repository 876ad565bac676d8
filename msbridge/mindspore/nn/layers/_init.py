"""A layer twin's ``weight_init=``/``bias_init=``: MindSpore's initializers drawn on torch."""
from __future__ import annotations

import torch

from msbridge.mindspore.common.initializer import initializer


def apply_init(tensor: torch.Tensor | None, init) -> None:
    """Fill ``tensor`` in place as MindSpore's layer would with ``init`` (None: keep the default draw)."""
    if tensor is None or init is None:
        return
    with torch.no_grad():
        tensor.copy_(initializer(init, tuple(tensor.shape), tensor.dtype))
