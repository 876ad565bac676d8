"""One optimizer update from a loss, as MindSpore's ``TrainOneStepCell`` makes it (shared by ``Model`` and
``nn.TrainOneStepCell``): backprop seeded with ``sens`` (the loss scale; 1 without one), the gradients
all-reduced over the process group when the parallel context asks for data parallelism (MindSpore's
``DistributedGradReducer``; torch's ``DistributedDataParallel`` semantics), then one update by either
msbridge's MindSpore-shaped optimizer (``optimizer(grads)``) or a ``torch.optim.Optimizer``.
"""
import torch

from msbridge.mindspore.communication.reduce import data_parallel, reduce_gradients


def is_ms_optimizer(optimizer):
    from msbridge.mindspore.nn.optim.optimizer import Optimizer
    return isinstance(optimizer, Optimizer)


def apply_gradients(loss, optimizer, sens=None):
    """Backprop ``loss`` (seeded with ``sens`` when given) and update ``optimizer``'s parameters."""
    seed = None if sens is None else torch.full_like(loss, sens)
    parallel, mean = data_parallel()
    if is_ms_optimizer(optimizer):
        grads = torch.autograd.grad(loss, optimizer.parameters, grad_outputs=seed, allow_unused=True)
        grads = tuple(torch.zeros_like(p) if g is None else g for p, g in zip(optimizer.parameters, grads))
        if parallel:
            reduce_gradients(grads, mean)
        optimizer(grads)
        return
    optimizer.zero_grad()
    loss.backward(seed)
    if parallel:
        reduce_gradients([p.grad for group in optimizer.param_groups for p in group["params"]], mean)
    optimizer.step()
