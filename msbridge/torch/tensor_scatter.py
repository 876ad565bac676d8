"""torch's ``Tensor.scatter`` on a MindSpore tensor (re-exported by ``msbridge.torch.tensor_methods``).

MindSpore 2.10's CPU ``Tensor.scatter`` (the ScatterValue kernel) fails for most of what torch code writes
(measured): an int64 index with a value of 1 or 1.0, any float16 tensor, an int64 tensor with an int32 index all
raise "Unsupported data type" (attention-is-all-you-need's label smoothing, ``zeros_like(pred).scatter(1,
gold.view(-1, 1), 1)``), yet 2.5 works; a ``src`` larger than ``index`` (torch reads its leading block) raises;
``value=`` by keyword is refused. ``ops.tensor_scatter_elements`` runs for every dtype and both index dtypes, with
no reduction or ``add`` (its ``mul`` reduction is refused), so ``reduce='multiply'`` goes through
``ops.tensor_scatter_mul`` with each index element's full coordinates (repeated positions multiply, as in
torch). The twin writes torch's call in these terms: the value cast to the tensor's dtype (torch casts it: 2.5 into
an int tensor is 2), ``src`` cut to ``index``'s shape.
"""
from __future__ import annotations

import numbers

import mindspore
from mindspore import ops

_REDUCE = {None: "none", "add": "add", "multiply": "multiply"}


def _multiply(x, index, updates, axis):
    """``x`` with each update multiplied in at (the index element's position, ``index`` along ``axis``)."""
    grids = ops.meshgrid(*(ops.arange(n, dtype=index.dtype) for n in index.shape), indexing="ij") \
        if index.ndim > 1 else [ops.arange(index.shape[0], dtype=index.dtype)]
    coords = ops.stack([index if k == axis else grid for k, grid in enumerate(grids)], axis=-1)
    return ops.tensor_scatter_mul(x, coords.reshape(-1, x.ndim), updates.reshape(-1))


def scatter_twin(x, dim, index, src=None, value=None, reduce=None):
    """torch's ``x.scatter(dim, index, src|value, reduce=None)``; x is a MindSpore tensor."""
    if (src is None) == (value is None):
        raise TypeError("scatter() expects exactly one of src and value")
    if reduce not in _REDUCE:
        raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
    source = value if value is not None else src
    if isinstance(source, mindspore.Tensor):
        if source.dtype != x.dtype:
            raise RuntimeError(f"scatter(): Expected self.dtype to be equal to src.dtype, got {x.dtype} and "
                               f"{source.dtype}")
        if any(s < i for s, i in zip(source.shape, index.shape)):
            raise RuntimeError(f"Expected index {tuple(index.shape)} to be smaller than src {tuple(source.shape)}")
        updates = source[tuple(slice(0, n) for n in index.shape)] if tuple(source.shape) != tuple(index.shape) \
            else source
    elif isinstance(source, numbers.Number):
        updates = ops.broadcast_to(mindspore.Tensor(source).astype(x.dtype), tuple(index.shape))
    else:
        raise TypeError(f"scatter(): the value must be a Tensor or a Number, got {type(source)}")
    axis = dim + x.ndim if dim < 0 else dim
    if reduce == "multiply":
        return _multiply(x, index, updates, axis)
    return ops.tensor_scatter_elements(x, index, updates, axis, _REDUCE[reduce])
