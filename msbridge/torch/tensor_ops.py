"""``torch.arange``, ``torch.meshgrid`` and ``torch.einsum`` with torch's semantics on MindSpore.

* ``arange``: torch's ``arange(end)`` / ``arange(start, end, step)`` with its dtype rule (int64 when
  every bound is an int, else float32); ``device`` is placement only.
* ``meshgrid``: torch's default indexing is 'ij', MindSpore's 'xy'.
* ``as_tensor``: the tensor itself when it has the dtype, a numpy array's memory shared, else a new tensor of the
  dtype torch infers (int64 for ints, float32 for floats: ``mindspore.tensor``'s too, measured); ``device`` dropped.
* ``einsum``: MindSpore 2.10's ``ops.einsum``/``mint.einsum`` have no CPU kernel (measured). This one
  contracts operands pairwise with transposes, reshapes and ``ops.bmm`` (differentiable), after
  summing indices only one operand has. Repeated indices within one operand (diagonals) are refused.
"""
from __future__ import annotations

import math

import mindspore
import numpy as np
from mindspore import ops


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if out is not None or requires_grad:
        raise NotImplementedError("msbridge's arange: out= and requires_grad=True have no MindSpore counterpart")
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, int) and not isinstance(v, bool) or
                   (isinstance(v, mindspore.Tensor) and not v.is_floating_point()) for v in (start, end, step))
        dtype = mindspore.int64 if ints else mindspore.float32
    return ops.arange(start, end, step, dtype=dtype)


def as_tensor(data, dtype=None, device=None):
    """torch.as_tensor on MindSpore (``device`` is placement only)."""
    if isinstance(data, mindspore.Tensor):
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    if isinstance(data, np.ndarray) and data.flags.c_contiguous and data.dtype != object:
        shared = mindspore.from_numpy(data)
        return shared if dtype is None or shared.dtype == dtype else shared.astype(dtype)
    return mindspore.tensor(data, dtype=dtype)


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return tuple(ops.meshgrid(*tensors, indexing=indexing or "ij"))


def _parse(equation: str, operands) -> tuple[list[str], str]:
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(operands):
        raise ValueError(f"einsum(): more operands were provided than specified in the equation"
                         if len(operands) > len(inputs) else "einsum(): fewer operands were provided than specified")
    spare = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in equation)
    ellipsis = None
    for i, (term, x) in enumerate(zip(inputs, operands)):
        if "..." in term:
            n = x.ndim - (len(term) - 3)
            if ellipsis is None:
                ellipsis = "".join(next(spare) for _ in range(n))
            if n != len(ellipsis):
                raise NotImplementedError("msbridge's einsum: '...' standing for different numbers of dimensions")
            inputs[i] = term.replace("...", ellipsis)
    if arrow:
        rhs = rhs.replace("...", ellipsis or "")
    else:   # implicit output: ellipsis dims, then indices seen once, in alphabetical order
        counts = {}
        for term in inputs:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        rhs = (ellipsis or "") + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in (ellipsis or "")))
    for term, x in zip(inputs, operands):
        if len(set(term)) != len(term):
            raise NotImplementedError(f"msbridge's einsum: repeated index in {term!r} (a diagonal)")
        if len(term) != x.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(term)}) does not match "
                               f"the number of dimensions ({x.ndim}) for operand")
    return inputs, rhs


def _sum_out(x, term: str, keep: set[str]):
    axes = tuple(i for i, c in enumerate(term) if c not in keep)
    if axes:
        x = x.sum(axis=axes)
        term = "".join(c for c in term if c in keep)
    return x, term


def _pair(a, ta: str, b, tb: str, keep: set[str]):
    """Contract two operands: indices in both and not kept are summed by a batched matmul."""
    batch = [c for c in ta if c in tb and c in keep]
    contract = [c for c in ta if c in tb and c not in keep]
    only_a = [c for c in ta if c not in tb]
    only_b = [c for c in tb if c not in ta]
    size = {**{c: a.shape[i] for i, c in enumerate(ta)}, **{c: b.shape[i] for i, c in enumerate(tb)}}

    def prod(cs):
        return math.prod(size[c] for c in cs)

    a = a.transpose(tuple(ta.index(c) for c in batch + only_a + contract))
    b = b.transpose(tuple(tb.index(c) for c in batch + contract + only_b))
    a = a.reshape(prod(batch), prod(only_a), prod(contract))
    b = b.reshape(prod(batch), prod(contract), prod(only_b))
    out = ops.bmm(a, b).reshape(tuple(size[c] for c in batch + only_a + only_b))
    return out, "".join(batch + only_a + only_b)


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, rhs = _parse(equation, operands)
    xs = list(operands)
    for i in range(len(xs)):   # indices only this operand has and the output drops: summed first
        others = set(rhs).union(*(terms[j] for j in range(len(xs)) if j != i))
        xs[i], terms[i] = _sum_out(xs[i], terms[i], others)
    x, term = xs[0], terms[0]
    for i in range(1, len(xs)):
        keep = set(rhs).union(*terms[i + 1:])
        x, term = _pair(x, term, xs[i], terms[i], keep)
    x, term = _sum_out(x, term, set(rhs))
    if term != rhs:
        x = x.transpose(tuple(term.index(c) for c in rhs))
    return x


__all__ = ["arange", "einsum", "meshgrid"]
