"""``mindspore.ParameterTuple`` on torch: a tuple of Parameters (MindSpore checks every item is one)."""
from __future__ import annotations

import torch


class ParameterTuple(tuple):
    """A tuple whose items are all ``torch.nn.Parameter`` (TypeError otherwise, as in MindSpore)."""

    def __new__(cls, iterable):
        items = tuple(iterable)
        if not all(isinstance(p, torch.nn.Parameter) for p in items):
            raise TypeError(f"For ParameterTuple initialization, ParameterTuple input should be 'Parameter' "
                            f"collection, but got a {type(iterable)}. ")
        return super().__new__(cls, items)


__all__ = ["ParameterTuple"]
