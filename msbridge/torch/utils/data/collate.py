"""torch's ``default_collate`` / ``default_convert``, producing MindSpore tensors.

The same structure rules as torch: tensors and numpy arrays are stacked along a new first axis
(dtype kept), Python floats become float64 tensors, ints int64 and bools bool (torch's dtypes),
strings and bytes stay lists, mappings, namedtuples, tuples and lists are collated field by field.
"""
from __future__ import annotations

import collections.abc

import mindspore
import numpy as np


def _is_tensor(x) -> bool:
    return isinstance(x, mindspore.Tensor)


def _array(x) -> np.ndarray:
    return x.asnumpy() if _is_tensor(x) else np.asarray(x)


def default_convert(data):
    """One sample without batching (``batch_size=None``): numpy arrays -> tensors, recursively."""
    if _is_tensor(data):
        return data
    if isinstance(data, np.ndarray) and data.dtype.kind not in "SaUO":
        return mindspore.Tensor(data)
    if isinstance(data, np.generic) and data.dtype.kind not in "SaUO":
        return mindspore.Tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return [default_convert(d) for d in data]
    return data


def default_collate(batch):
    """A list of samples -> one batch (see the module docstring)."""
    elem = batch[0]
    if _is_tensor(elem) or (isinstance(elem, (np.ndarray, np.generic)) and elem.dtype.kind not in "SaUO"):
        arrays = [_array(x) for x in batch]
        if any(a.shape != arrays[0].shape for a in arrays):
            raise RuntimeError("stack expects each tensor to be equal size, but got "
                               + " and ".join(str(list(a.shape)) for a in arrays[:2]))
        return mindspore.Tensor(np.stack(arrays))
    if isinstance(elem, bool):
        return mindspore.Tensor(np.array(batch, dtype=np.bool_))
    if isinstance(elem, float):
        return mindspore.Tensor(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):
        return mindspore.Tensor(np.array(batch, dtype=np.int64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(x) != len(elem) for x in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(samples) for samples in zip(*batch)]   # a list for tuples too, as torch
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                    f"found {type(elem)}")
