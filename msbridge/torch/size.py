"""torch's ``torch.Size`` on MindSpore: the shape tuple ``x.size()`` returns.

It matters beyond printing: torch's legacy constructors read a ``torch.Size`` as a SHAPE and any other tuple as
DATA, so ``torch.FloatTensor(std.size()).normal_()`` (L1aoXingyu/pytorch-beginner's VAE) is a tensor shaped like
``std``, while ``torch.FloatTensor((4, 20))`` holds the two numbers 4 and 20 (measured on torch 2.13). msbridge's
``size(x)`` twin returns this class, so ``FloatTensor(size(std))`` keeps torch's meaning. A slice of it and a tuple
added to it stay ``Size``, as in torch; it compares equal to the plain tuple of the same ints.
"""
from __future__ import annotations

import math


class Size(tuple):
    """A tuple of ints naming a tensor shape (torch's ``torch.Size``)."""

    def __new__(cls, sizes=()):
        return super().__new__(cls, (int(s) for s in sizes))

    def __getitem__(self, index):
        item = super().__getitem__(index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        """The element count of a tensor of this shape."""
        return math.prod(self)


__all__ = ["Size"]
