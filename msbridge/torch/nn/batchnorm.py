"""``torch.nn.BatchNorm1d``/``BatchNorm2d`` with torch's signature, for a class used as a value (torch -> MindSpore).

torchvision-style models take the normalization layer as an argument (``norm_layer = nn.BatchNorm2d`` ...
``norm_layer(planes)``; ``norm_layer(c, eps=1e-3, momentum=0.01)``). A call the converter sees is translated by
its table row (MindSpore's momentum is torch's 1 - momentum); a call through such a name is not seen, so the name
refers to these classes instead: MindSpore's layers (``isinstance`` checks and MindSpore's parameter names,
gamma/beta/moving_mean/moving_variance, hold) built from torch's arguments the way the row translates them.

Arguments are checked as torch checks them (layer_checks.py): a size torch's ``torch.empty`` refuses is refused
with its exception and message; one torch refuses only when called (num_features=0, a str eps or momentum) at
construction, with that call's exception type. An integer input or a channel count other than num_features is
refused with torch's exception types.
"""
from __future__ import annotations

import numbers

import mindspore

from msbridge.torch.nn.layer_checks import tensor_shape


def _mindspore_arguments(cls, num_features, eps, momentum, affine, track_running_stats, dtype, bias) -> dict:
    shape = tensor_shape(num_features)   # an int, or a one-item list or tuple, as torch.empty takes it
    if len(shape) != 1 or shape[0] == 0:
        raise RuntimeError(f"msbridge's {cls}: num_features={num_features!r} gives running statistics of shape "
                           f"{list(shape)}, which torch accepts but no input can match")
    for name, value in (("eps", eps), ("momentum", momentum)):   # torch reads these when called
        if not (value is None and name == "momentum") and not isinstance(value, numbers.Real):   # a bool is one
            raise TypeError(f"batch_norm(): argument '{name}' must be float, not {type(value).__name__}")
    if momentum is None:
        raise NotImplementedError("momentum=None (a cumulative moving average) has no MindSpore counterpart")
    if not 0 <= momentum <= 1:
        raise NotImplementedError(f"momentum={momentum} outside [0, 1] (torch extrapolates its running statistics) "
                                  "has no MindSpore counterpart")
    if eps > 1:
        raise NotImplementedError(f"eps={eps} above 1 has no MindSpore counterpart (its BatchNorm takes (0, 1])")
    if dtype is not None and dtype != mindspore.float32:   # device is placement only; a dtype changes the numbers
        raise TypeError(f"msbridge's BatchNorm computes in float32 only, got dtype={dtype!r}")
    if not bias:
        raise NotImplementedError("bias=False (a BatchNorm without shift) has no MindSpore counterpart")
    # torch weighs the new batch value, MindSpore the old running value; without running statistics torch
    # normalises by the batch's also in eval mode
    return {"num_features": shape[0], "eps": float(eps), "momentum": 1 - momentum, "affine": bool(affine),
            "use_batch_statistics": None if track_running_stats else True}


def _check_input(x, num_features: int, ranks: tuple[int, ...]) -> None:
    if x.ndim not in ranks:
        raise ValueError(f"expected {' or '.join(f'{r}D' for r in ranks)} input (got {x.ndim}D input)")
    if not mindspore.ops.is_floating_point(x):
        raise NotImplementedError(f"\"batch_norm\" not implemented for '{x.dtype}'")
    if x.ndim > 1 and x.shape[1] != num_features:
        raise RuntimeError(f"running_mean should contain {x.shape[1]} elements not {num_features}")


class BatchNorm1d(mindspore.nn.BatchNorm1d):
    """MindSpore's BatchNorm1d built from torch's arguments."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__(**_mindspore_arguments("BatchNorm1d", num_features, eps, momentum, affine,
                                                track_running_stats, dtype, bias))

    def construct(self, x):
        _check_input(x, self.num_features, (2, 3))
        return super().construct(x)


class BatchNorm2d(mindspore.nn.BatchNorm2d):
    """MindSpore's BatchNorm2d built from torch's arguments."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__(**_mindspore_arguments("BatchNorm2d", num_features, eps, momentum, affine,
                                                track_running_stats, dtype, bias))

    def construct(self, x):
        _check_input(x, self.num_features, (4,))
        return super().construct(x)
