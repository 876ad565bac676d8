"""MindSpore's ``nn.CrossEntropyLoss`` taking the int64 class labels torch code produces.

torch's ``CrossEntropyLoss`` requires int64 (Long) class indices; MindSpore 2.10's
raises ``TypeError: ... the 'labels' should be Int32`` on them. A program converted
from torch keeps building int64 labels (``torch.tensor([1, 2])``, numpy's default
int), so the converted loss casts integer labels to int32 -- class indices are
small, so the cast is exact. Float labels (class probabilities) pass unchanged.
Imports MindSpore only.
"""
import mindspore
from mindspore import nn

__all__ = ["CrossEntropyLoss"]

_INTEGER = (mindspore.int64, mindspore.int16, mindspore.int8, mindspore.uint8)


class CrossEntropyLoss(nn.CrossEntropyLoss):
    """``mindspore.nn.CrossEntropyLoss`` (same arguments) that also accepts int64 labels, as torch's does."""

    def construct(self, logits, labels):
        if labels.dtype in _INTEGER:
            labels = labels.astype(mindspore.int32)
        return super().construct(logits, labels)
