"""MindSpore's ``optimizer(grads)`` on a torch optimizer: apply gradients held in a value.

A MindSpore step holds its gradients in a value (``loss, grads = grad_fn(x, y)``) and hands them to the optimizer.
Where the converter can write the step as torch's ``zero_grad``/``backward``/``step`` it does
(``rules.train_step``); where the gradients are also clipped, scaled, all-reduced or logged, the step keeps its
shape: ``grad_fn`` is msbridge's ``value_and_grad`` (MindSpore's structures on torch) and the optimizer call
becomes this function, which gives each parameter MindSpore's optimizer updates (the trainable ones, in group
order: ``optimizer.parameters``) its gradient and takes one torch step. Imported by converted programs; torch only.
"""
from __future__ import annotations

import torch


def apply_gradients(optimizer, grads):
    """Set ``p.grad`` of the optimizer's trainable parameters from ``grads`` (same order) and step once. Anything
    but a torch optimizer (a user's function, msbridge's MindSpore-shaped optimizer) is called as written."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        return optimizer(grads)
    params = [p for group in optimizer.param_groups for p in group["params"] if p.requires_grad]
    grads = tuple(grads)
    if len(grads) != len(params):
        raise ValueError(f"optimizer(grads): {len(grads)} gradients for the optimizer's {len(params)} trainable "
                         "parameters (MindSpore pairs them by position)")
    for param, grad in zip(params, grads):
        if tuple(grad.shape) != tuple(param.shape):
            raise ValueError(f"optimizer(grads): a gradient of shape {tuple(grad.shape)} for a parameter of shape "
                             f"{tuple(param.shape)}")
        param.grad = grad.detach().to(param.dtype).clone()   # a copy: the optimizer may update it in place
    optimizer.step()
    return True
