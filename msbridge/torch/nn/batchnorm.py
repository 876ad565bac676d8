"""``torch.nn.BatchNorm1d``/``BatchNorm2d`` with torch's signature, for a class used as a value (torch -> MindSpore).

torchvision-style models take the normalization layer as an argument (``norm_layer = nn.BatchNorm2d`` ...
``norm_layer(planes)``; ``norm_layer(c, eps=1e-3, momentum=0.01)``). A call the converter sees is translated by
its table row (MindSpore's momentum is torch's 1 - momentum); a call through such a name is not seen, so the name
refers to these classes instead: MindSpore's layers (``isinstance`` checks and MindSpore's parameter names,
gamma/beta/moving_mean/moving_variance, hold) built from torch's arguments the way the row translates them.
"""
from __future__ import annotations

import mindspore


def _mindspore_arguments(eps, momentum, affine, track_running_stats, dtype, bias) -> dict:
    if momentum is None:
        raise NotImplementedError("momentum=None (a cumulative moving average) has no MindSpore counterpart")
    if dtype is not None and dtype != mindspore.float32:   # device is placement only; a dtype changes the numbers
        raise TypeError(f"msbridge's BatchNorm computes in float32 only, got dtype={dtype!r}")
    if not bias:
        raise NotImplementedError("bias=False (a BatchNorm without shift) has no MindSpore counterpart")
    # torch weighs the new batch value, MindSpore the old running value; without running statistics torch
    # normalises by the batch's also in eval mode
    return {"eps": eps, "momentum": 1 - momentum, "affine": affine,
            "use_batch_statistics": None if track_running_stats else True}


class BatchNorm1d(mindspore.nn.BatchNorm1d):
    """MindSpore's BatchNorm1d built from torch's arguments."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, **_mindspore_arguments(eps, momentum, affine, track_running_stats, dtype, bias))


class BatchNorm2d(mindspore.nn.BatchNorm2d):
    """MindSpore's BatchNorm2d built from torch's arguments."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, **_mindspore_arguments(eps, momentum, affine, track_running_stats, dtype, bias))
