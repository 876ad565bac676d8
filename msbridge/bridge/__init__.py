"""Live-object converters between MindSpore and torch, driven by the mapping tables.

* ``MindSporeLR``: a torch scheduler that makes a torch optimizer follow a MindSpore
  per-step list or LearningRateSchedule bit-exactly;
* ``mindspore_lr_to_torch`` / ``lr_call_to_torch``: MindSpore LR -> torch scheduler;
* ``torch_scheduler_to_mindspore``: torch scheduler -> MindSpore per-step list or schedule;
* ``optimizer_kwargs_to_torch`` / ``optimizer_kwargs_to_mindspore``: optimizer arguments.
"""
# Imported on first use (PEP 562), not here: the checkpoint modules of this package serve converted
# scripts that run with only one framework installed, and the LR/optimizer bridges import torch.
_LAZY = {"TorchSchedule": "lr", "lr_call_to_torch": "lr", "mindspore_lr_to_torch": "lr",
         "torch_scheduler_to_mindspore": "lr", "MindSporeLR": "mindspore_lr",
         "optimizer_kwargs_to_mindspore": "optimizers", "optimizer_kwargs_to_torch": "optimizers",
         "optimizer_to_mindspore": "optimizers", "optimizer_to_torch": "optimizers"}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


__all__ = [
    "MindSporeLR", "TorchSchedule", "mindspore_lr_to_torch", "lr_call_to_torch", "torch_scheduler_to_mindspore",
    "optimizer_kwargs_to_torch", "optimizer_kwargs_to_mindspore", "optimizer_to_torch", "optimizer_to_mindspore",
]


def __dir__():
    return sorted({*globals(), *_LAZY})
