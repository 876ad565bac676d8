"""torch's default communication backend per device type (its ``Backend.default_device_backend_map``).

``init_process_group`` ignores the backend name (MindSpore's launcher picks its own), so the answer only
has to be torch's for the scripts that print or compare it.
"""
from __future__ import annotations

from msbridge.torch.device import device as _device

_DEFAULT = {"cpu": "gloo", "cuda": "nccl", "xpu": "xccl", "mtia": "gloo", "npu": "hccl"}


def get_default_backend_for_device(device) -> str:
    kind = device.type if isinstance(device, _device) else _device(device).type
    backend = _DEFAULT.get(kind)
    if backend is None:
        raise ValueError(f"Default backend not registered for device : {device}")
    return backend
