"""torch's ``nn.CrossEntropyLoss`` and ``nn.NLLLoss`` taking the int32 class labels MindSpore code produces.

MindSpore's ``CrossEntropyLoss`` requires int32 labels, so MindSpore pipelines cast
them to int32; torch 2.13's (and its ``NLLLoss``) raises ``RuntimeError: expected target dtype to be Long
or Byte, but got Int`` on them. The converted loss casts integer labels to int64
(exact). Float labels (class probabilities) pass unchanged. Imports torch only.
"""
import torch

__all__ = ["CrossEntropyLoss", "NLLLoss"]


def _long(target):
    return target.long() if not target.is_floating_point() and target.dtype != torch.long else target


class CrossEntropyLoss(torch.nn.CrossEntropyLoss):
    """``torch.nn.CrossEntropyLoss`` (same arguments) that also accepts int32 labels, as MindSpore's does."""

    def forward(self, input, target):
        return super().forward(input, _long(target))


class NLLLoss(torch.nn.NLLLoss):
    """``torch.nn.NLLLoss`` (same arguments) that also accepts int32 labels, as MindSpore's does."""

    def forward(self, input, target):
        return super().forward(input, _long(target))
