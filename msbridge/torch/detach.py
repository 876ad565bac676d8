"""torch's ``detach`` on MindSpore: ``mindspore.ops.stop_gradient``.

A detached tensor has the same values and passes no gradient back; ``stop_gradient`` computes the same
inside ``value_and_grad``/``grad`` (measured against torch in tests/torch/test_program_twins_more.py) and is
the value itself outside them. The converter writes ``stop_gradient`` where it knows the receiver is a
MindSpore tensor and this function where it cannot tell: any other object keeps its own ``detach()``.
(torch's detached tensor shares storage with the original, so an in-place write to one shows in the other;
MindSpore's stop_gradient result is not documented to share it.)
"""
from __future__ import annotations


def detach(tensor):
    import mindspore

    if isinstance(tensor, mindspore.Tensor):
        return mindspore.ops.stop_gradient(tensor)
    return tensor.detach()
