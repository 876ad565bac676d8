"""``mindspore.nn.LossBase`` on torch: the base class of MindSpore's hand-written losses.

Model-zoo losses subclass it and end ``construct`` with ``self.get_loss(x, weights)``: the loss
times ``weights``, in float32, reduced over every axis as ``reduction`` says ('mean', 'sum',
'none') and cast back to the input's dtype. This twin does the same on torch tensors and runs
``construct`` as ``forward``. It also sets ``self.reduction``, as torch's ``_Loss`` does, so code
written for either reads it. Imports torch only.
"""
import torch

__all__ = ["LossBase"]


class LossBase(torch.nn.Module):
    """MindSpore 2.10's ``nn.LossBase(reduction='mean')``: ``get_loss``, ``get_axis``, ``average``/``reduce``."""

    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"For '{self.cls_name}', the 'reduction' must be in ['mean', 'sum', 'none'], "
                             f"but got {reduction}.")
        self.reduction = reduction
        self.average = reduction != "sum"
        self.reduce = reduction != "none"

    @property
    def cls_name(self) -> str:
        return type(self).__name__

    def get_axis(self, x):
        """Every axis of ``x`` (what the reduction runs over)."""
        return tuple(range(x.dim()))

    def get_loss(self, x, weights=1.0):
        """``x * weights`` in float32, reduced as ``reduction`` says, in ``x``'s dtype."""
        dtype = x.dtype
        weights = torch.as_tensor(weights, device=x.device).to(torch.float32)
        x = weights * x.to(torch.float32)
        if self.reduce and self.average:
            x = x.mean(dim=self.get_axis(x)) if x.dim() else x
        if self.reduce and not self.average:
            x = x.sum(dim=self.get_axis(x)) if x.dim() else x
        return x.to(dtype)

    def construct(self, *args, **kwargs):
        raise NotImplementedError(f"{self.cls_name} must define construct (or forward)")

    def forward(self, *args, **kwargs):
        return self.construct(*args, **kwargs)
