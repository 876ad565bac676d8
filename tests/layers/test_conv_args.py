"""msbridge.mindspore.nn.Conv2d refuses what MindSpore 2.10's Conv2d refuses, with the same exception type and
message, and builds what it builds: each case is run on the real layer and on the twin side by side."""
import mindspore.nn as ms_nn
import pytest

from msbridge.mindspore import nn as twin_nn

CASES = [
    {"padding": (1, 1)}, {"padding": (1, 1, 1)}, {"padding": [1, 1, 1, 1]}, {"padding": (1.0, 1, 1, 1)},
    {"padding": "a"}, {"padding": 1.5}, {"padding": True}, {"padding": (-1, 0, 0, 0)}, {"padding": -1},
    {"padding": (True, 0, 0, 0)}, {"padding": (1, 2, 3, 4)}, {"padding": 2},
    {"kernel_size": (3,)}, {"kernel_size": (3, 3, 3)}, {"kernel_size": [3, 3]}, {"kernel_size": 3.0},
    {"kernel_size": (3.0, 3)}, {"kernel_size": True}, {"kernel_size": 0}, {"kernel_size": (0, 3)},
    {"kernel_size": -1}, {"kernel_size": (True, 3)}, {"kernel_size": (1, 5)},
    {"stride": (1,)}, {"stride": [1, 1]}, {"stride": 0}, {"stride": (2, 2, 2)}, {"stride": (1, 0)}, {"stride": (2, 1)},
    {"dilation": (1,)}, {"dilation": [1, 1]}, {"dilation": 0}, {"dilation": True}, {"dilation": (2, 1)},
    {"pad_mode": "x"}, {"pad_mode": "SAME"}, {"pad_mode": None}, {"pad_mode": 1}, {"pad_mode": "same", "padding": (1, 1)},
    {"pad_mode": "valid", "padding": (0, 0)}, {"pad_mode": "same", "padding": (0, 0, 0, 1)},
    {"pad_mode": "same", "padding": 1}, {"pad_mode": "same", "padding": [0, 0, 0, 0]},
    {"pad_mode": "valid", "padding": (0, 0, 0, 0)},
    {"kernel_size": 0, "padding": (1, 1)}, {"kernel_size": 0, "padding": -1}, {"stride": (1,), "padding": "a"},
    {"pad_mode": "x", "padding": "a"}, {"pad_mode": "x", "kernel_size": 0}, {"kernel_size": 0, "stride": (1,)},
]


def _outcome(nn, case):
    arguments = {"kernel_size": 3, "pad_mode": "pad", **case}
    try:
        layer = nn.Conv2d(3, 4, **arguments)
    except Exception as exc:   # noqa: BLE001 - the exception is what is compared
        return type(exc), str(exc).splitlines()[0]
    return "built", tuple(layer.weight.shape)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_conv2d_arguments_fail_as_mindspore_does(case):
    assert _outcome(twin_nn, case) == _outcome(ms_nn, case)
