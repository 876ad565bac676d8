"""``ops.maximum``/``ops.minimum`` (and the ``Maximum``/``Minimum`` primitives) on torch, with a Python number allowed
for either operand.

MindSpore accepts a number for either operand (AECRNet's ClipByValue passes ``0`` and ``x_shape[2] - 1``);
``torch.maximum`` takes two tensors and raises TypeError for a number. The converter cannot tell a
tensor from a number at the call, so every MindSpore call goes through these twins. MindSpore's result
dtype is torch's tensor-with-Python-number promotion (measured on MindSpore 2.10: float32 with an int or a
float stays float32, float16 stays float16, int32 with an int stays int32, int32 with a float becomes
float32, bool with an int becomes int64, with a float float32), the number in either position; two numbers
give a 0-d tensor (int64 for ints, float32 with a float). One difference is left: MindSpore 2.10 refuses
``minimum`` of a bool tensor with a bool or a negative int on CPU ("Unsupported data type"); the twin computes it.
"""
from __future__ import annotations

import numbers

import torch


def _operands(input, other) -> tuple[torch.Tensor, torch.Tensor]:
    """Both operands as tensors of the dtype MindSpore computes in; two tensors are left to torch's promotion."""
    tensors = [v for v in (input, other) if isinstance(v, torch.Tensor)]
    for value in (input, other):
        if not isinstance(value, (torch.Tensor, numbers.Number)):
            raise TypeError(f"For 'Maximum'/'Minimum', the inputs must be Tensor or Number, but got {type(value)}.")
    if len(tensors) == 2:
        return input, other
    if not tensors:
        return torch.tensor(input), torch.tensor(other)
    tensor = tensors[0]
    dtype = torch.result_type(input, other)
    as_tensor = [v.to(dtype) if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=dtype, device=tensor.device)
                 for v in (input, other)]
    return as_tensor[0], as_tensor[1]


def maximum(input, other) -> torch.Tensor:
    """Elementwise max, a Python number allowed for either operand (``torch.maximum`` raises TypeError)."""
    return torch.maximum(*_operands(input, other))


def minimum(input, other) -> torch.Tensor:
    """Elementwise min, a Python number allowed for either operand (``torch.minimum`` raises TypeError)."""
    return torch.minimum(*_operands(input, other))
