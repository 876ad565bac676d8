"""MindSpore's ``ops.clip_by_global_norm`` on torch (imports torch only).

Gradient clipping in MindSpore steps (``grads = ops.clip_by_global_norm(grads, 1.0)``): every tensor is scaled
by ``clip_norm / max(global_norm, clip_norm)`` (computed as ``x * clip_norm / global_norm``), the global norm
being the L2 norm of all the tensors together (MindSpore 2.10, measured: tests/mindspore/test_value_and_grad_twin.py;
float32 sums may round one ulp apart). A tuple comes back, as in MindSpore.
"""
from __future__ import annotations

import torch


def clip_by_global_norm(x, clip_norm=1.0, use_norm=None):
    """The tensors of ``x`` scaled so that their global L2 norm is at most ``clip_norm``."""
    if use_norm is not None:
        raise NotImplementedError("clip_by_global_norm(use_norm=...): MindSpore 2.10 itself supports only None")
    tensors = tuple(x)
    squares = [(t * t).sum().float() for t in tensors]   # each tensor's square sum, then their sum (AddN)
    global_norm = torch.sqrt(torch.stack(squares).sum()) if squares else torch.tensor(0.0)
    clip = torch.as_tensor(clip_norm, dtype=torch.float32)
    divisor = torch.where(global_norm >= clip, global_norm, clip)
    return tuple((t * clip / divisor).to(t.dtype) for t in tensors)   # x * clip_norm / global_norm, as MindSpore
