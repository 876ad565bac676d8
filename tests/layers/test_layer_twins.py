"""msbridge.mindspore.nn layer twins (torch modules) against the real MindSpore layers they imitate.

Same constructor call on both sides, parameters copied by their (shared) names, then outputs,
input gradients and parameter gradients compared -- with the calls no native torch layer can
express: Dense(activation=...) and Conv2d(pad_mode='same') with a stride > 1.
"""
import mindspore
import numpy as np
import pytest
import torch

import layer_harness as h
from msbridge.mindspore import nn as twin_nn
from msbridge.tables.records import InputSpec

RTOL = 1e-5
CASES = [
    ("Dense", {"in_channels": 4, "out_channels": 3, "activation": "relu"}, (5, 4)),
    ("Dense", {"in_channels": 4, "out_channels": 3, "activation": "gelu", "has_bias": False}, (2, 3, 4)),
    ("Dense", {"in_channels": 4, "out_channels": 6, "activation": "tanh"}, (5, 4)),
    ("Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "stride": 2}, (2, 3, 7, 8)),
    ("Conv2d", {"in_channels": 3, "out_channels": 2, "kernel_size": 4, "stride": 2, "has_bias": True}, (1, 3, 9, 9)),
    ("Conv2d", {"in_channels": 4, "out_channels": 4, "kernel_size": (2, 3), "stride": (3, 2), "group": 2,
                "dilation": 2}, (1, 4, 10, 7)),
    ("Conv2d", {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "pad_mode": "pad",
                "padding": (1, 0, 2, 1)}, (1, 2, 6, 6)),
    ("Conv2d", {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "stride": 2, "pad_mode": "valid"},
     (1, 2, 7, 6)),
    ("MaxPool2d", {"kernel_size": 3, "stride": 2, "pad_mode": "same"}, (1, 2, 7, 8)),
    ("MaxPool2d", {"kernel_size": 2, "stride": 2, "pad_mode": "same"}, (2, 2, 7, 7)),
    ("AvgPool2d", {"kernel_size": 3, "stride": 2, "pad_mode": "same"}, (1, 2, 7, 8)),
    ("AvgPool2d", {"kernel_size": 4, "stride": 3, "pad_mode": "same"}, (1, 1, 8, 9)),
]


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_twin_equals_real_mindspore(name, kwargs, shape):
    h.seed_both(0)
    real = getattr(mindspore.nn, name)(**kwargs)
    twin = getattr(twin_nn, name)(**kwargs)
    real_names = {n for n, _ in real.parameters_and_names()}
    assert real_names == set(twin.state_dict()), "the twin keeps MindSpore's parameter names"
    for pname, param in real.parameters_and_names():
        with torch.no_grad():
            twin.state_dict()[pname].copy_(torch.from_numpy(param.asnumpy()))
    specs = (InputSpec(shape),)
    arrays = [np.random.default_rng(1).standard_normal(shape).astype(np.float32)]
    ref = h.run_mindspore(real, arrays, specs, train=True)
    ours = h.run_torch(twin, arrays, specs, train=True)
    assert ours.outputs[0].shape == ref.outputs[0].shape
    for a, b, what in [(ours.outputs[0], ref.outputs[0], "output"), (ours.input_grads[0], ref.input_grads[0], "dx")] + \
            [(ours.param_grads[n], g, n) for n, g in ref.param_grads.items()]:
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=RTOL * float(np.abs(b).max()), err_msg=what)
    assert set(ours.param_grads) == set(ref.param_grads)


def test_twin_rejects_what_mindspore_rejects():
    with pytest.raises(ValueError):
        mindspore.nn.Conv2d(2, 3, 3, pad_mode="full")
    with pytest.raises(ValueError):
        twin_nn.Conv2d(2, 3, 3, pad_mode="full")
    with pytest.raises(ValueError):
        mindspore.nn.Conv2d(2, 3, 3, pad_mode="same", padding=1)
    with pytest.raises(ValueError):
        twin_nn.Conv2d(2, 3, 3, pad_mode="same", padding=1)
    with pytest.raises(KeyError):
        mindspore.nn.Dense(2, 3, activation="no-such-activation")
    with pytest.raises(KeyError):
        twin_nn.Dense(2, 3, activation="no-such-activation")
