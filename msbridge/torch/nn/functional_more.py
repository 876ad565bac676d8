"""torch.nn.functional pooling, resizing, padding, dropout and layer_norm with torch's signatures on MindSpore.

Each one calls the MindSpore op that computes the same, after filling in torch's defaults
(``stride=None`` means kernel_size) and refusing what the op would compute differently.
"""
from __future__ import annotations

from mindspore import ops

from msbridge.torch.nn.upsample import BICUBIC, output_size


def _stride(kernel_size, stride):
    return kernel_size if stride is None or (isinstance(stride, (tuple, list)) and not stride) else stride


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """torch's avg_pool2d: stride defaults to kernel_size (MindSpore's op: 1)."""
    return ops.avg_pool2d(input, kernel_size, _stride(kernel_size, stride), padding, ceil_mode, count_include_pad,
                          divisor_override or 0)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """torch's max_pool2d (the same op; torch's positional order: ceil_mode before return_indices)."""
    return ops.max_pool2d(input, kernel_size, _stride(kernel_size, stride), padding, dilation,
                          return_indices=return_indices, ceil_mode=ceil_mode)


def adaptive_avg_pool2d(input, output_size):
    return ops.adaptive_avg_pool2d(input, output_size)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    """torch's interpolate: a scale_factor becomes torch's output size (refused where the grids would differ)."""
    if antialias:
        raise NotImplementedError("msbridge's interpolate: antialias=True has no MindSpore counterpart")
    if mode == "bicubic":
        raise NotImplementedError(BICUBIC)
    if (size is None) == (scale_factor is None):
        raise ValueError("either size or scale_factor should be defined" if size is None else
                         "only one of size or scale_factor should be defined")
    if size is None:
        size = output_size(input, scale_factor, recompute_scale_factor)
    elif isinstance(size, int):
        size = (size,) * (input.ndim - 2)
    return ops.interpolate(input, size=tuple(size), mode=mode, align_corners=align_corners)


def pad(input, pad, mode="constant", value=None):
    """torch's pad: pairs from the last dimension backwards (MindSpore's pad reads them the same way)."""
    return ops.pad(input, tuple(pad), mode=mode, value=value)


def dropout(input, p=0.5, training=True, inplace=False):
    """torch's functional dropout: training defaults to True; p=1 zeroes everything (MindSpore's op refuses it)."""
    if isinstance(p, bool) or p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if p == 1:
        return ops.zeros_like(input)
    return ops.dropout(input, p=float(p), training=True)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """torch's layer_norm over the trailing ``normalized_shape`` dimensions (biased variance, like torch)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    axes = tuple(range(input.ndim - len(shape), input.ndim))
    if tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    mean = input.mean(axis=axes, keep_dims=True)
    centred = input - mean
    var = (centred * centred).mean(axis=axes, keep_dims=True)
    out = centred / ops.sqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "dropout", "interpolate", "layer_norm", "max_pool2d", "pad"]
