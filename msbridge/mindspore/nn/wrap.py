"""``nn.WithLossCell``, ``nn.TrainOneStepCell``, ``nn.WithEvalCell`` and ``nn.DistributedGradReducer`` of
MindSpore 2.10 as torch modules: the wrappers a MindSpore script builds around its network.

``TrainOneStepCell(network, optimizer, sens=None)(*inputs)`` returns the loss and has updated the
parameters: backprop seeded with ``sens`` (1.0 by default), gradients all-reduced when the parallel
context is data-parallel, then one step of ``optimizer`` (msbridge's MindSpore-shaped optimizers give
MindSpore's numbers; a ``torch.optim`` optimizer torch's). ``return_grad=True`` is not supported.
"""
import torch

from msbridge.mindspore.communication.reduce import reduce_gradients
from msbridge.mindspore.train.step import apply_gradients


class WithLossCell(torch.nn.Module):
    """``loss_fn(backbone(data), label)``."""

    def __init__(self, backbone, loss_fn):
        super().__init__()
        self._backbone = backbone
        self._loss_fn = loss_fn

    def forward(self, data, label):
        return self._loss_fn(self._backbone(data), label)

    @property
    def backbone_network(self):
        return self._backbone


class WithEvalCell(torch.nn.Module):
    """``(loss, outputs, label)`` for evaluation."""

    def __init__(self, network, loss_fn, add_cast_fp32=False):
        super().__init__()
        self._network = network
        self._loss_fn = loss_fn
        self.add_cast_fp32 = add_cast_fp32

    def forward(self, data, label):
        outputs = self._network(data)
        if self.add_cast_fp32:
            label = label.float()
            outputs = outputs.float()
        return self._loss_fn(outputs, label), outputs, label


class TrainOneStepCell(torch.nn.Module):
    """One training step per call; returns the (undetached) loss's value."""

    def __init__(self, network, optimizer, sens=None, return_grad=False):
        super().__init__()
        if return_grad:
            raise NotImplementedError("msbridge: TrainOneStepCell(return_grad=True) is not supported.")
        self.network = network
        self.optimizer = optimizer
        self.sens = 1.0 if sens is None else sens

    def forward(self, *inputs):
        loss = self.network(*inputs)
        apply_gradients(loss, self.optimizer, self.sens)
        return loss.detach()


class DistributedGradReducer(torch.nn.Module):
    """All-reduces a tuple of gradients (divided by ``degree``, the world size, when ``mean``)."""

    def __init__(self, parameters, mean=None, degree=None, fusion_type=1, group="hccl_world_group"):
        super().__init__()
        import torch.distributed as dist
        from msbridge.mindspore.parallel_context import get_auto_parallel_context
        self.mean = get_auto_parallel_context("gradients_mean") if mean is None else mean
        self.degree = dist.get_world_size() if degree is None else degree

    def forward(self, grads):
        grads = reduce_gradients(tuple(grads), mean=False)
        if self.mean:
            for grad in grads:
                grad.div_(self.degree)
        return grads
