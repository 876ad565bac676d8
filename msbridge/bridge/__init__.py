"""Live-object converters between MindSpore and torch, driven by the mapping tables.

* ``MindSporeLR``: a torch scheduler that makes a torch optimizer follow a MindSpore
  per-step list or LearningRateSchedule bit-exactly;
* ``mindspore_lr_to_torch`` / ``lr_call_to_torch``: MindSpore LR -> torch scheduler;
* ``torch_scheduler_to_mindspore``: torch scheduler -> MindSpore per-step list or schedule;
* ``optimizer_kwargs_to_torch`` / ``optimizer_kwargs_to_mindspore``: optimizer arguments.
"""
from msbridge.bridge.lr import TorchSchedule, lr_call_to_torch, mindspore_lr_to_torch, torch_scheduler_to_mindspore
from msbridge.bridge.mindspore_lr import MindSporeLR
from msbridge.bridge.optimizers import (
    optimizer_kwargs_to_mindspore,
    optimizer_kwargs_to_torch,
    optimizer_to_mindspore,
    optimizer_to_torch,
)

__all__ = [
    "MindSporeLR", "TorchSchedule", "mindspore_lr_to_torch", "lr_call_to_torch", "torch_scheduler_to_mindspore",
    "optimizer_kwargs_to_torch", "optimizer_kwargs_to_mindspore", "optimizer_to_torch", "optimizer_to_mindspore",
]
