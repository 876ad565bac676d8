"""torch's device objects and queries on MindSpore.

MindSpore places computation with ``mindspore.set_context(device_target=...)`` for the whole
process, not per tensor, so a ``device`` here only names one: ``.to(device)``/``.cuda()``/
``.cpu()`` calls are removed by the converter (``rules.devices``), never mapped to a move. The
queries answer for the MindSpore process: ``cuda.is_available()`` is True only when MindSpore's
device target is GPU, so ``torch.device("cuda" if torch.cuda.is_available() else "cpu")`` picks
what MindSpore computes on.
"""
from __future__ import annotations

import mindspore

_TYPES = {"CPU": "cpu", "GPU": "cuda", "Ascend": "npu"}


def _target_type() -> str:
    return _TYPES.get(mindspore.get_context("device_target"), "cpu")


class device:
    """``device("cuda:0")``, ``device("cuda", 0)``, ``device(other_device)``."""

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        elif isinstance(type, int):
            type, index = _target_type(), type
        elif not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type!r})")
        if ":" in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: {type}")
            type, _, number = type.partition(":")
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{number}'")
            index = int(number)
        self.type, self.index = type, index

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))
