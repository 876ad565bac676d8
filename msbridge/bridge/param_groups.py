"""``optimizer.param_groups`` for a MindSpore optimizer: the LR a torch program reads and writes.

Warm-up code, LR logging and hand-made plateau logic in torch programs do
``for g in optimizer.param_groups: g['lr'] = lr`` or read ``optimizer.param_groups[0]['lr']``.
A MindSpore ``nn`` optimizer keeps its LR in a float32 Parameter (one per group when
the groups set ``lr``): ``param_groups(optimizer)`` gives torch-shaped dict views whose
``'lr'`` reads and writes that Parameter, so the next ``optimizer(grads)`` uses it.
A written LR reads back as the Python float written (as in torch); the update uses
its float32 value, which is also what torch's float32 update uses. A per-step LR
(list or schedule) belongs to the optimizer: writing it raises TypeError. Other keys
raise KeyError. Imports MindSpore only.
"""
from __future__ import annotations

from collections.abc import MutableMapping

import mindspore
import numpy

__all__ = ["param_groups"]

_WRITTEN = "_msbridge_lr_written"   # {group index: the Python float last written}


class ParamGroup(MutableMapping):
    """One group of a MindSpore optimizer, seen as a torch parameter-group dict (key ``'lr'``)."""

    def __init__(self, optimizer, index: int):
        self._optimizer, self._index = optimizer, index

    def _parameter(self):
        lr = self._optimizer.learning_rate
        return lr[self._index] if self._optimizer.is_group_lr else lr

    def __getitem__(self, key):
        if key != "lr":
            raise KeyError(f"param_groups: a MindSpore optimizer's group offers only 'lr' here, not {key!r}")
        optimizer = self._optimizer
        if optimizer.dynamic_lr:
            lr = optimizer.get_lr()
            value = lr[self._index] if isinstance(lr, tuple) else lr
            return float(value.asnumpy())
        value = float(self._parameter().asnumpy())
        written = getattr(optimizer, _WRITTEN, {}).get(self._index)
        if written is not None and float(numpy.float32(written)) == value:
            return written
        return value

    def __setitem__(self, key, value):
        if key != "lr":
            raise KeyError(f"param_groups: only 'lr' can be set on a MindSpore optimizer's group, not {key!r}")
        if self._optimizer.dynamic_lr:
            raise TypeError("param_groups: this MindSpore optimizer follows a per-step learning rate (a list or a "
                            "LearningRateSchedule); setting 'lr' by hand would fight it. Build the LR you want as "
                            "a MindSpore LR list instead.")
        self._parameter().set_data(mindspore.Tensor(float(value), mindspore.float32))
        if not hasattr(self._optimizer, _WRITTEN):
            object.__setattr__(self._optimizer, _WRITTEN, {})
        getattr(self._optimizer, _WRITTEN)[self._index] = float(value)

    def __delitem__(self, key):
        raise TypeError("param_groups: keys of a MindSpore optimizer's group cannot be deleted")

    def __iter__(self):
        return iter(("lr",))

    def __len__(self):
        return 1


def param_groups(optimizer) -> list[ParamGroup]:
    """torch's ``optimizer.param_groups`` for a MindSpore ``nn`` optimizer (LR only)."""
    if not isinstance(optimizer, mindspore.nn.Optimizer):
        raise TypeError(f"param_groups: expected a mindspore.nn.Optimizer, but got {type(optimizer).__name__!r}.")
    count = len(optimizer.learning_rate) if optimizer.is_group_lr else 1
    return [ParamGroup(optimizer, i) for i in range(count)]
