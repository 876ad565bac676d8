"""Gradient clipping for a converted training step, where the gradients are values, not ``.grad``.

torch clips the ``.grad`` of parameters in place (``clip_grad_norm_(model.parameters(), max_norm)``);
a MindSpore step holds its gradients as the tuple ``value_and_grad`` returned, so the converter
(``rules.clip_grad``) rewrites the call to ``grads, total_norm = clip_grad_norm(grads, max_norm)``.
The formula is torch's (torch/nn/utils/clip_grad.py, 2.13): the total norm is the ``norm_type``-norm
of the per-gradient norms, every gradient is multiplied by ``min(max_norm / (total_norm + 1e-6), 1)``
(also when that is 1), and the total norm is returned. ``mindspore.ops.clip_by_global_norm`` differs:
no 1e-6, and it only scales when the norm exceeds the limit (tests/torch/test_clip_grads.py).
"""
from __future__ import annotations

import math

import mindspore
from mindspore import ops


def _norm(tensor, norm_type: float):
    flat = ops.abs(tensor.reshape(-1))
    if math.isinf(norm_type):
        return flat.max() if flat.shape[0] else ops.zeros((), tensor.dtype)
    if norm_type == 2.0:
        return ops.sqrt((flat * flat).sum())
    if norm_type == 1.0:
        return flat.sum()
    return ops.pow(ops.pow(flat, norm_type).sum(), 1.0 / norm_type)


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """(clipped gradients as a tuple, total norm as a 0-d tensor)."""
    grads = tuple(grads)
    norm_type = float(norm_type)
    if not grads:
        return grads, mindspore.Tensor(0.0, mindspore.float32)
    norms = ops.stack([_norm(g, norm_type).astype(mindspore.float32) for g in grads])
    total = _norm(norms, norm_type)
    if error_if_nonfinite and not bool(ops.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
                           f"so it cannot be clipped. To disable this error and scale the gradients by the "
                           f"non-finite norm anyway, set `error_if_nonfinite=False`")
    coef = ops.clamp(max_norm / (total + 1e-6), max=1.0)
    return tuple(g * coef.astype(g.dtype) for g in grads), total


def clip_grad_value(grads, clip_value):
    """Every gradient clamped to ``[-clip_value, clip_value]`` (torch's ``clip_grad_value_``)."""
    clip_value = float(clip_value)
    return tuple(ops.clamp(g, -clip_value, clip_value) for g in grads)
