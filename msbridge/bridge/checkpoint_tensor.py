"""A framework-neutral tensor for checkpoint conversion: dtype name, shape and the raw bytes.

Renaming and the layout changes the parameter maps need (adding or removing a length-1 axis)
never move data, so a checkpoint crosses over as the bytes it was read as: no copy, no
float conversion, and neither framework needs to be importable to read or write a file.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from msbridge.errors import UserError


class CheckpointError(UserError):
    """A checkpoint that cannot be read, written or matched; the message is one line."""


# name -> (bytes per element, MindSpore .ckpt tensor_type, safetensors dtype)
DTYPES = {
    "float32": (4, "Float32", "F32"), "float16": (2, "Float16", "F16"), "bfloat16": (2, "BFloat16", "BF16"),
    "float64": (8, "Float64", "F64"), "int8": (1, "Int8", "I8"), "int16": (2, "Int16", "I16"),
    "int32": (4, "Int32", "I32"), "int64": (8, "Int64", "I64"), "uint8": (1, "UInt8", "U8"),
    "bool": (1, "Bool", "BOOL"),
}
FROM_MINDSPORE = {ms: name for name, (_, ms, _) in DTYPES.items()}
FROM_SAFETENSORS = {st: name for name, (_, _, st) in DTYPES.items()}


@dataclass(frozen=True)
class RawTensor:
    """``data`` holds ``prod(shape)`` elements of ``dtype``, C-contiguous, little-endian."""
    dtype: str
    shape: tuple[int, ...]
    data: memoryview

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise CheckpointError(f"unsupported dtype {self.dtype!r} (supported: {', '.join(DTYPES)})")
        want = math.prod(self.shape) * DTYPES[self.dtype][0]
        if self.data.nbytes != want:
            raise CheckpointError(f"tensor data has {self.data.nbytes} bytes, but {self.dtype} "
                                  f"{tuple(self.shape)} needs {want}: the file is truncated or corrupt")

    @property
    def nbytes(self) -> int:
        return self.data.nbytes

    def reshaped(self, shape: tuple[int, ...]) -> "RawTensor":
        return RawTensor(self.dtype, tuple(shape), self.data)


def _byte_view(array) -> memoryview:
    return memoryview(array.reshape(-1).view("uint8")).cast("B")


def from_torch(tensor) -> RawTensor:
    """A torch tensor's bytes (a view when it is already contiguous on the CPU)."""
    import torch

    t = tensor.detach().cpu().contiguous()
    name = str(t.dtype).removeprefix("torch.")
    if name not in DTYPES:
        raise CheckpointError(f"unsupported torch dtype {t.dtype} (supported: {', '.join(DTYPES)})")
    flat = t.reshape(-1)
    if name == "bfloat16":
        flat = flat.view(torch.int16)
    return RawTensor(name, tuple(t.shape), _byte_view(flat.numpy()))


def to_torch(raw: RawTensor):
    """A torch tensor over the same bytes (writable buffers are shared, read-only ones copied)."""
    import torch

    dtype = getattr(torch, raw.dtype)
    if raw.nbytes == 0:
        return torch.empty(raw.shape, dtype=dtype)
    data = raw.data if not raw.data.readonly else bytearray(raw.data)
    return torch.frombuffer(data, dtype=dtype).reshape(raw.shape)


def to_numpy(raw: RawTensor):
    """A numpy array over the same bytes; bfloat16 uses MindSpore's numpy bfloat16 type."""
    import numpy as np

    if raw.dtype == "bfloat16":
        from mindspore.common import np_dtype

        dtype = np_dtype.bfloat16
    else:
        dtype = np.dtype(raw.dtype)
    return np.frombuffer(raw.data, dtype=dtype).reshape(raw.shape)


def from_mindspore(tensor) -> RawTensor:
    """A MindSpore tensor's (or Parameter's) bytes."""
    array = tensor.asnumpy()
    name = FROM_MINDSPORE.get(str(tensor.dtype))
    if name is None:
        raise CheckpointError(f"unsupported MindSpore dtype {tensor.dtype} (supported: {', '.join(FROM_MINDSPORE)})")
    return RawTensor(name, tuple(array.shape), _byte_view(array.copy() if not array.flags.c_contiguous else array))


def to_mindspore(raw: RawTensor):
    """A MindSpore tensor with the same dtype, shape and bytes."""
    import mindspore

    return mindspore.Tensor(to_numpy(raw).copy())
