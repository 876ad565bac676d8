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


def _no_accelerator():
    raise RuntimeError("Cannot access accelerator device when none is available.")


def set_device_index(device) -> None:
    index = getattr(device, "index", device)
    if not is_available():
        _no_accelerator()
    mindspore.set_device(mindspore.get_context("device_target"), int(index))


set_device_idx = set_device_index


def current_device_index() -> int:
    if not is_available():
        _no_accelerator()
    return int(mindspore.get_context("device_id"))


current_device_idx = current_device_index


class device_index:
    """``with torch.accelerator.device_index(i):`` selects device ``i`` for its region; constructing it alone
    selects nothing (as torch's)."""

    def __init__(self, device):
        self.idx = getattr(device, "index", device)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx is not None:
            self.prev_idx = current_device_index()
            if self.prev_idx != self.idx:
                set_device_index(self.idx)

    def __exit__(self, *exc):
        if self.idx is not None and self.prev_idx != self.idx:
            set_device_index(self.prev_idx)
        return False
