"""torch.accelerator's queries, answered for MindSpore's device target.

On MindSpore's CPU target there is no accelerator: ``is_available()`` is False and
``current_accelerator()`` None, as torch answers on a CPU-only machine.
"""
from __future__ import annotations

import mindspore

from msbridge.torch.device import _target_type, device


def is_available() -> bool:
    return mindspore.get_context("device_target") != "CPU"


def current_accelerator(check_available: bool = False):
    return device(_target_type()) if is_available() else None


def device_count() -> int:
    return 1 if is_available() else 0
