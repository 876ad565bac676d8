"""torch.nn.functional twins on MindSpore ops, where MindSpore has no function of the same semantics.

``scaled_dot_product_attention``: MindSpore 2.10 has only device-specific fused attention kernels
(flash_attention_score and friends, Ascend layouts), no portable function with torch's arguments.
The twin computes torch's definition: softmax(q k^T * scale + mask) v, with a boolean mask meaning
True = TAKE PART (the opposite of MultiheadAttention's key_padding_mask), is_causal a lower-left
triangle, enable_gqa repeating the key/value heads, and a row with no key left giving zeros
(torch 2.13 on CPU, measured; softmax alone would give NaN). Tested against torch in
tests/layers/test_attention_twin.py.

Pooling, resizing, padding, dropout and layer_norm (``functional_more``): MindSpore's functions
differ in defaults (avg_pool2d's stride is 1, not kernel_size; meshgrid's indexing) or refuse
values torch takes (dropout p=1, interpolate's scale_factor on 4-D input); mint's torch-shaped ones
have no CPU kernel in 2.10 (measured). Tested against torch in tests/layers/test_functional_twins.py.

``upsample`` is torch's deprecated alias of ``interpolate`` (kuangliu/pytorch-retinanet's FPN); ``gelu`` is
``ops.gelu`` with torch's ``approximate`` (the erf form by default), as the ``GELU`` layer twin.

``softmax``/``log_softmax`` without a dim: torch picks a legacy axis by rank (0 for a 0-D, 1-D or 3-D input, else 1)
and warns; MindSpore's default axis is -1, the same only for 1-D and 2-D inputs. With a dim they are MindSpore's own.

``normalize``: MindSpore's ``ops.L2Normalize`` divides by sqrt(max(sum(x^2), epsilon)) along one axis (measured),
torch by max(||x||_p, eps) for any p: the twin computes torch's.
"""
from __future__ import annotations

import math

import mindspore
from mindspore import ops

from msbridge.torch import tensor_methods
from msbridge.torch.tensor_methods import norm
from msbridge.torch.nn.functional_more import (adaptive_avg_pool2d, avg_pool2d, dropout, interpolate, layer_norm,
                                                max_pool2d, pad)

__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "dropout", "gelu", "interpolate", "layer_norm", "log_softmax",
           "max_pool2d", "normalize", "pad", "scaled_dot_product_attention", "softmax", "upsample"]


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """torch.nn.functional.scaled_dot_product_attention on MindSpore tensors."""
    if is_causal and attn_mask is not None:
        raise NotImplementedError("attn_mask together with is_causal=True: torch 2.13 accepts it but what it "
                                  "computes depends on the kernel; pass one of them (fold the triangle into the mask)")
    length, source = query.shape[-2], key.shape[-2]
    factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    if enable_gqa and key.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        repeat = query.shape[-3] // key.shape[-3]
        key = ops.repeat_interleave(key, repeat, key.ndim - 3)
        value = ops.repeat_interleave(value, repeat, value.ndim - 3)
    scores = ops.matmul(query, key.swapaxes(-2, -1)) * factor
    if is_causal:
        attn_mask = ops.ones((length, source), mindspore.bool_).tril()
    keep = None
    if attn_mask is not None:
        if attn_mask.dtype == mindspore.bool_:
            keep = ops.broadcast_to(attn_mask, scores.shape)
            scores = scores.masked_fill(ops.logical_not(keep), float("-inf"))
            # a row of -inf only is zeroed before the softmax: MindSpore 2.10's CPU softmax, given one, also
            # corrupts the rows after it (measured: negative weights), and the row's weights become zeros below
            scores = ops.where(keep.any(-1, keep_dims=True), scores, ops.zeros_like(scores))
        else:
            scores = scores + attn_mask
    weights = ops.softmax(scores, -1)
    if keep is not None:   # a query with no key left: zeros, as torch's CPU kernel gives (not NaN)
        weights = ops.where(keep.any(-1, keep_dims=True), weights, ops.zeros_like(weights))
    if dropout_p > 0.0:
        weights = ops.dropout(weights, p=dropout_p)
    return ops.matmul(weights, value)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):   # noqa: A002 - torch's argument name
    """torch's ``F.normalize``: ``input / max(||input||_p over dim, eps)``. For p=2 the square root is taken after
    the clamp (the same value: sqrt is monotonic), so a zero vector's gradient is 0 as torch's, not NaN (sqrt'(0))."""
    if out is not None:
        raise NotImplementedError("msbridge's normalize: out= is not supported; assign the result")
    if p == 2:
        squares = (input * input).sum(axis=dim, keepdims=True)
        return input / ops.sqrt(ops.clamp(squares, min=eps * eps))
    return input / ops.clamp(norm(input, p, dim, keepdim=True), min=eps)


def _softmax_dim(x, dim):
    """torch's ``_get_softmax_dim``: the legacy axis when ``dim`` is None."""
    if dim is not None:
        return dim
    return 0 if x.ndim in (0, 1, 3) else 1


def _cast(x, dtype):
    return x if dtype is None else x.astype(dtype)


def softmax(input, dim=None, _stacklevel=3, dtype=None):   # noqa: A002 - torch's argument name
    """torch.nn.functional.softmax (and torch.softmax) on a MindSpore tensor, torch's legacy axis for dim=None."""
    return ops.softmax(_cast(input, dtype), axis=_softmax_dim(input, dim))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):   # noqa: A002 - torch's argument name
    """torch.nn.functional.log_softmax on a MindSpore tensor, torch's legacy axis for dim=None (the tensor method's
    twin: within 1e-6 of torch, where ops.log_softmax is 3e-6 off, measured)."""
    return tensor_methods.log_softmax(input, _softmax_dim(input, dim), dtype)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):   # noqa: A002
    """torch.nn.functional.upsample: torch's deprecated spelling of interpolate (the same arguments and result)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def gelu(input, approximate="none"):   # noqa: A002 - torch's argument name
    """torch.nn.functional.gelu: the erf form (approximate='none', torch's default) or the tanh one."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return ops.gelu(input, approximate=approximate)
