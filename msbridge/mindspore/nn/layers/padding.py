"""``mindspore.nn.Pad`` on torch: (before, after) pairs per axis, first axis first.

torch's ``F.pad`` takes the pairs last axis first, and has no ``SYMMETRIC`` mode (numpy's
"symmetric": the edge element is repeated); ``REFLECT`` in torch is limited to the last
three axes of a batched input. Each non-constant axis is padded here by concatenating
flipped slices, which computes MindSpore's values on any axis.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from msbridge.mindspore.nn.layers.validator import string

_MODES = ("CONSTANT", "REFLECT", "SYMMETRIC")


def _pairs(paddings) -> tuple[tuple[int, int], ...]:
    """MindSpore's checks, in its order and with its messages (an int item fails on ``len`` there too)."""
    if not isinstance(paddings, tuple):
        raise TypeError(f"For 'Pad', the type of 'paddings' must be tuple, but got {type(paddings).__name__}.")
    for item in paddings:
        if len(item) != 2:
            raise ValueError(f"For 'Pad', the dimension of 'paddings' must be (n, 2), but got {paddings}.")
    if len(paddings) > 4:
        raise ValueError(f"For 'Pad', only 'paddings' up to 4 dims is supported, but got {len(paddings)}.")
    return tuple(tuple(pair) for pair in paddings)


def _mirror(x: torch.Tensor, axis: int, before: int, after: int, edge: int) -> torch.Tensor:
    """Pad one axis by mirroring: ``edge`` 1 leaves the edge out (REFLECT), 0 repeats it (SYMMETRIC)."""
    size = x.shape[axis]
    parts = []
    if before:
        parts.append(x.narrow(axis, edge, before).flip(axis))
    parts.append(x)
    if after:
        parts.append(x.narrow(axis, size - after - edge, after).flip(axis))
    return torch.cat(parts, axis) if len(parts) > 1 else x


class Pad(torch.nn.Module):
    """Pads ``x`` by ``paddings[d] = (before, after)`` on axis d, as MindSpore's nn.Pad."""

    def __init__(self, paddings, mode="CONSTANT"):
        super().__init__()
        self.mode = string(mode, _MODES, "mode", "Pad")   # upper case only, as MindSpore's
        self.paddings = _pairs(paddings)

    def forward(self, x):
        for value in (v for pair in self.paddings for v in pair):   # MindSpore's Pad casts them when called
            if isinstance(value, bool) or not isinstance(value, int):
                raise RuntimeError(f"For 'Pad', each padding must be an int, but got {value!r} "
                                   f"({type(value).__name__}) in {self.paddings}.")
        if x.dim() != len(self.paddings):
            raise ValueError(f"For 'Pad', the rank of the input must be {len(self.paddings)}, but got {x.dim()}.")
        if self.mode == "CONSTANT":
            flat = [v for pair in reversed(self.paddings) for v in pair]
            return F.pad(x, flat)
        edge = 1 if self.mode == "REFLECT" else 0
        for axis, (before, after) in enumerate(self.paddings):
            x = _mirror(x, axis, before, after, edge)
        return x

    def extra_repr(self) -> str:
        return f"paddings={self.paddings}, mode={self.mode}"
