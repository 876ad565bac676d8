"""``dd = {'device': device, 'dtype': dtype}`` of torch model code (timm's ``**dd``), on MindSpore.

torch layers and creation ops take ``device=``/``dtype=``; MindSpore places every tensor on the
process's ``device_target`` and builds layers in float32. A converted model keeps its ``**dd``
plumbing, but the dict it unpacks is this function's result: empty when it changes nothing
(any device, dtype None or float32), so every MindSpore call it reaches gets its defaults, which
compute what torch's did. Another dtype would build the model in that dtype in torch; here it
raises instead of silently building float32 parameters. Imports MindSpore only (torch may be absent).
"""
from __future__ import annotations


def factory_kwargs(device=None, dtype=None) -> dict:
    """``{}`` for a placement and the default dtype; NotImplementedError for any other dtype."""
    if dtype is not None:
        import mindspore
        if dtype != mindspore.float32:
            raise NotImplementedError(
                f"msbridge: this model was converted from torch, where dtype={dtype!r} builds its parameters "
                f"in that dtype; the converted MindSpore layers are built in float32 (pass dtype=None, then "
                f"cast with net.to_float(...) or Parameter.set_dtype)")
    return {}
