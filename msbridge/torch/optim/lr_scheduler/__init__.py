"""torch 2.13's ``torch.optim.lr_scheduler`` driving MindSpore optimizers.

Same classes, arguments, algorithms and ``state_dict`` layout as torch; every
LR is computed in Python float64 and only its float32 rounding is written into
the MindSpore optimizer (see ``adapter.py`` for the supported optimizers).

    from mindspore import nn
    from msbridge.torch.optim import lr_scheduler

    opt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=100)
    ...  # train one epoch with opt
    sched.step()

``param_groups(opt)`` gives the torch-shaped groups (Python float 'lr',
'initial_lr', 'momentum'/'betas') where torch code touches
``optimizer.param_groups`` directly.
"""
from msbridge.torch.optim.lr_scheduler.adapter import param_groups
from msbridge.torch.optim.lr_scheduler.base import LRScheduler, _LRScheduler
from msbridge.torch.optim.lr_scheduler.chained import ChainedScheduler
from msbridge.torch.optim.lr_scheduler.cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from msbridge.torch.optim.lr_scheduler.cyclic import CyclicLR
from msbridge.torch.optim.lr_scheduler.decay import ExponentialLR, PolynomialLR
from msbridge.torch.optim.lr_scheduler.lambda_lr import LambdaLR, MultiplicativeLR
from msbridge.torch.optim.lr_scheduler.one_cycle import OneCycleLR
from msbridge.torch.optim.lr_scheduler.plateau import ReduceLROnPlateau
from msbridge.torch.optim.lr_scheduler.sequential import SequentialLR
from msbridge.torch.optim.lr_scheduler.step import MultiStepLR, StepLR
from msbridge.torch.optim.lr_scheduler.warmup import ConstantLR, LinearLR

__all__ = [
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "SequentialLR",
    "CosineAnnealingLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
    "CyclicLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "PolynomialLR",
    "LRScheduler",
]
