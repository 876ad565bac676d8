"""torch's ``DataParallel`` / ``data_parallel`` on MindSpore: the wrapped network, run on MindSpore's device.

torch's DataParallel splits a batch over several GPUs of ONE process; with one device or none it calls
the module on the whole batch. A MindSpore process computes on one device (its ``device_target``/
``device_id``), so the twin is torch's one-device behaviour: the module's own output (on several GPUs,
torch's per-replica BatchNorm statistics would differ from it). ``module`` is the wrapped network; ``state_dict()``
keys carry torch's ``module.`` prefix, while the Parameters keep the wrapped network's own names (as the
DistributedDataParallel twin's), so a MindSpore checkpoint of either loads into the other.
"""
from __future__ import annotations

from mindspore import nn


class DataParallel(nn.Cell):
    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__(auto_prefix=False)
        self.module = module
        self.device_ids, self.output_device, self.dim = device_ids, output_device, dim

    def construct(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """``nn.parallel.data_parallel(module, inputs, ...)``: ``module(*inputs, **module_kwargs)`` on one device;
    without an accelerator it raises, as torch's (the class form runs the module on the CPU, the function
    does not)."""
    from msbridge.torch import accelerator

    if not accelerator.is_available():
        raise RuntimeError("device type could not be determined")
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*inputs, **(module_kwargs or {}))
