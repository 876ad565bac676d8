"""Live-object converters between MindSpore and torch, driven by the mapping tables.

* ``MindSporeLR``: a torch scheduler that makes a torch optimizer follow a MindSpore
  per-step list or LearningRateSchedule bit-exactly;
* ``mindspore_lr_to_torch`` / ``lr_call_to_torch``: MindSpore LR -> torch scheduler;
* ``torch_scheduler_to_mindspore``: torch scheduler -> MindSpore per-step list or schedule;
* ``optimizer_kwargs_to_torch`` / ``optimizer_kwargs_to_mindspore``: optimizer arguments;
* runtime helpers a converted program imports (``weight_decay``, ``labels``,
  ``param_groups``, ``checkpoint_script``), each importing only the framework it runs on.

Names are imported lazily: a program converted to MindSpore imports
``msbridge.bridge.X`` on a machine without torch, so this package must not
import torch (``MindSporeLR`` does) until asked for a torch-side name.
"""
import importlib

_WHERE = {
    "MindSporeLR": "msbridge.bridge.mindspore_lr",
    "TorchSchedule": "msbridge.bridge.lr",
    "lr_call_to_torch": "msbridge.bridge.lr",
    "mindspore_lr_to_torch": "msbridge.bridge.lr",
    "torch_scheduler_to_mindspore": "msbridge.bridge.lr",
    "optimizer_kwargs_to_mindspore": "msbridge.bridge.optimizers",
    "optimizer_kwargs_to_torch": "msbridge.bridge.optimizers",
    "optimizer_to_mindspore": "msbridge.bridge.optimizers",
    "optimizer_to_torch": "msbridge.bridge.optimizers",
}

__all__ = list(_WHERE)


def __getattr__(name):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'msbridge.bridge' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE))
