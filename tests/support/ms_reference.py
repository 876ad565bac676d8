"""Helpers that run the REAL MindSpore beside msbridge (imported by the tests here)."""
import numpy as np
import mindspore
import mindspore.nn as real_nn

import msbridge.mindspore.nn as our_nn


def outcome(fn, *args, **kwargs):
    """``("ok", result)`` or ``("raise", type, message)``: what a call did."""
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as error:  # noqa: BLE001 - we compare whatever MindSpore raises
        return ("raise", type(error), str(error))


def real_schedule_value(schedule, step, dtype=mindspore.int64):
    """MindSpore's float32 output for one step, as float32 bits."""
    return np.float32(schedule(mindspore.Tensor(step, dtype)).asnumpy()).view(np.int32)


def our_schedule_value(schedule, step):
    return np.float32(schedule(step).numpy()).view(np.int32)


__all__ = ["real_nn", "our_nn", "outcome", "real_schedule_value", "our_schedule_value"]
