"""MindSpore Tensor methods whose torch namesakes differ, called on whatever the receiver is at run time.

Imported by converted programs (``msbridge.convert.rules.tensor_methods`` writes the calls). In a
MindSpore file ``x.transpose(0, 2, 1)`` is a permutation (numpy's ``transpose`` is one too) where
torch's takes exactly two axes to swap (MindSpore 2.10's two-int form swaps as well, measured); ``x.expand_dims``/``x.astype`` do not exist on torch tensors; ``mean(keep_dims=)``/
``split(axis=)`` are MindSpore's names. The converter cannot always tell a tensor from a numpy array, so
each function here dispatches: a torch tensor (what the MindSpore tensor became) gets MindSpore's
meaning in torch terms, anything else (numpy, a user's object) gets its own method, as before.
``max``/``min`` with MindSpore's numpy-style keywords (``axis=``) give the values only where torch's give
(values, indices); ``std``/``var`` are biased by default on MindSpore, unbiased on torch (measured); ``view``
reshapes a non-contiguous tensor on MindSpore, where torch's raises; ``x.size`` (an attribute) is the element
count on MindSpore, a method on torch.
Lives outside ``msbridge.mindspore`` because MindSpore has no such functions.
"""
from __future__ import annotations

import sys


def _torch():
    """torch if the program has imported it, else None: a MindSpore program converted back from torch may still
    call these functions on MindSpore tensors, and must not need torch to do so."""
    return sys.modules.get("torch")


def _torch_tensor(x) -> bool:
    torch = _torch()
    return torch is not None and isinstance(x, torch.Tensor)


def _np_dtype(dtype):
    """A torch dtype as numpy's (a numpy receiver of a converted ``astype(mindspore.float32)``)."""
    torch = _torch()
    return torch.empty((), dtype=dtype).numpy().dtype if torch is not None and isinstance(dtype, torch.dtype) else dtype


def size(x):
    """MindSpore's ``x.size`` read as an attribute: the element count (an int), as numpy's; a torch tensor's
    ``size`` is a method (``n * x.size`` failed, ``a.size != b.size`` compared two bound methods)."""
    return x.numel() if _torch_tensor(x) else x.size


def transpose(x, *axes):
    """MindSpore's ``Tensor.transpose``: two ints swap two axes (MindSpore 2.10, as torch), anything else
    is a permutation (none: the axes reversed), as numpy's."""
    if not _torch_tensor(x) or (len(axes) == 2 and all(isinstance(a, int) for a in axes)):
        return x.transpose(*axes)
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    if not axes:
        axes = tuple(range(x.dim() - 1, -1, -1))
    return x.permute(*axes)


def expand_dims(x, axis):
    if not _torch_tensor(x):
        return x.expand_dims(axis)
    return x.unsqueeze(axis)


def astype(x, dtype, copy=True):
    """MindSpore's ``Tensor.astype(dtype)``: a torch dtype (translated), or a name such as "float32"."""
    if not _torch_tensor(x):
        return x.astype(_np_dtype(dtype))
    if isinstance(dtype, str):
        dtype = getattr(_torch(), dtype)
    return x.to(dtype, copy=bool(copy))


def mean(x, axis=None, keep_dims=False):
    if not _torch_tensor(x):
        return x.mean(axis=axis, keep_dims=keep_dims)
    return x.mean() if axis is None and not keep_dims else x.mean(dim=axis, keepdim=keep_dims)


def split(x, split_size_or_sections, axis=0):
    if not _torch_tensor(x):
        return x.split(split_size_or_sections, axis=axis)
    return x.split(split_size_or_sections, dim=axis)


def view(x, *shape):
    """MindSpore's ``Tensor.view(*shape)``: any layout, a non-contiguous tensor copied (MindSpore 2.10, measured:
    ``x.permute(1, 0).view(6)``). torch's ``view`` raises there; ``reshape`` is the same view wherever torch's
    ``view`` applies and a copy elsewhere. ``view(dtype)`` is torch's own."""
    if not _torch_tensor(x) or (len(shape) == 1 and isinstance(shape[0], _torch().dtype)):
        return x.view(*shape)
    return x.reshape(*shape)


_NUMPY_STYLE = ("axis", "keepdims", "initial", "where", "return_indices")


def _extreme(name, x, args, kwargs):
    """MindSpore's ``x.max(axis=1)``: the values only (torch's ``max(dim)`` gives (values, indices));
    ``return_indices=True`` gives both; ``initial``/``where`` as numpy's."""
    if not _torch_tensor(x) or not any(k in kwargs for k in _NUMPY_STYLE):
        return getattr(x, name)(*args, **kwargs)
    named = dict(zip(_NUMPY_STYLE, args))
    named.update(kwargs)
    axis, keepdims = named.get("axis"), bool(named.get("keepdims", False))
    initial, where = named.get("initial"), named.get("where", True)
    if initial is not None or where is not True:
        raise NotImplementedError(f"msbridge's {name}: initial=/where= have no torch counterpart")
    if named.get("return_indices"):
        return tuple(getattr(x, name)(dim=axis, keepdim=keepdims))
    if axis is None:
        return getattr(x, name)().reshape((1,) * x.dim()) if keepdims else getattr(x, name)()
    return (x.amax if name == "max" else x.amin)(dim=axis, keepdim=keepdims)


def max(x, *args, **kwargs):   # noqa: A001 - MindSpore's method name
    return _extreme("max", x, args, kwargs)


def min(x, *args, **kwargs):   # noqa: A001 - MindSpore's method name
    return _extreme("min", x, args, kwargs)


def _spread(name, x, args, kwargs):
    """MindSpore's ``x.std(axis=None, ddof=0, keepdims=False)``: biased unless told (torch: unbiased)."""
    if not _torch_tensor(x) or any(k in kwargs for k in ("dim", "correction", "keepdim", "unbiased")):
        return getattr(x, name)(*args, **kwargs)
    named = dict(zip(("axis", "ddof", "keepdims"), args))
    named.update(kwargs)
    axis = named.get("axis")
    return getattr(x, name)(dim=tuple(axis) if isinstance(axis, list) else axis, correction=named.get("ddof", 0),
                            keepdim=bool(named.get("keepdims", False)))


def std(x, *args, **kwargs):
    return _spread("std", x, args, kwargs)


def var(x, *args, **kwargs):
    return _spread("var", x, args, kwargs)


__all__ = ["astype", "expand_dims", "max", "mean", "min", "split", "std", "transpose", "var"]


# ---- Parameter data (mindcv/model-zoo weight init: ``cell.weight.set_data(initializer(...))``) ----------------
def set_data(param, data, slice_shape=False):
    """MindSpore's ``Parameter.set_data``: the data replaced (its shape may change), cast to the parameter's
    dtype, a Python number becoming a 0-d tensor; returns the parameter (all measured on MindSpore 2.10)."""
    if not _torch_tensor(param):
        return param.set_data(data, slice_shape)
    torch = _torch()
    if not isinstance(data, (torch.Tensor, int, float)):
        raise TypeError("Parameter data must be [`Tensor`, `int`, `float`] or a kind of `Tensor` (like `Tensor`). "
                        f"But with type {type(data)}.")
    with torch.no_grad():
        param.data = torch.as_tensor(data, device=param.device).detach().to(param.dtype, copy=True)
    return param


def assign_value(tensor, value):
    """MindSpore's ``Tensor.assign_value``: the data replaced by ``value``'s (its shape and dtype); returns the
    tensor. A non-tensor value is refused here (MindSpore 2.10 crashes the process on ``assign_value(2.0)``)."""
    if not _torch_tensor(tensor):
        return tensor.assign_value(value)
    torch = _torch()
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"assign_value expects a tensor, got {type(value).__name__}")
    with torch.no_grad():
        tensor.data = value.detach().to(device=tensor.device, copy=True)
    return tensor


def init_data(param, *args, **kwargs):
    """MindSpore's ``Parameter.init_data``: materialises a lazily initialised parameter and returns it; a torch
    parameter holds its data from construction."""
    if not _torch_tensor(param):
        return param.init_data(*args, **kwargs)
    return param


def getitem(x, index: tuple):
    """``x[index]`` with numpy's negative slice steps, which MindSpore's tensors take and torch's refuse: on a torch
    tensor each such slice picks numpy's indices along its dimension (``index_select``); anything else, or an index
    with more than ints, slices, None and ``...``, is indexed as written."""
    basic = all(i is None or i is Ellipsis or (isinstance(i, (int, slice)) and not isinstance(i, bool)) for i in index)
    if not _torch_tensor(x) or not basic:
        return x[index]
    consumed = sum(1 for i in index if i is not None and i is not Ellipsis)
    plain, flips, dim_in, dim_out = [], [], 0, 0
    for i in index:
        for item in ([slice(None)] * (x.dim() - consumed) if i is Ellipsis else [i]):
            if item is None:
                plain.append(None)
                dim_out += 1
            elif isinstance(item, int):
                plain.append(item)
                dim_in += 1
            else:
                if item.step is not None and item.step < 0:
                    flips.append((dim_out, range(*item.indices(x.shape[dim_in]))))
                    item = slice(None)
                plain.append(item)
                dim_in, dim_out = dim_in + 1, dim_out + 1
    y = x[tuple(plain)]
    for dim, picks in flips:
        y = y.index_select(dim, _torch().tensor(list(picks), dtype=_torch().long, device=y.device))
    return y
