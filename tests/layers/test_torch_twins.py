"""msbridge.torch.nn layer twins (MindSpore Cells) against the real torch layers they imitate.

The converter uses them for torch calls whose arguments are known only at run time
(``nn.Dropout(p)``: p may be 1, which MindSpore's Dropout refuses; ``nn.LayerNorm(dim)``: an int
or a shape). Same constructor call on both sides, parameters copied by their (shared, torch)
names, outputs and gradients compared in train and eval mode.
"""
import mindspore
import numpy as np
import pytest
import torch

import layer_harness as h
from msbridge.tables.records import InputSpec
from msbridge.torch import nn as twin_nn

RTOL = 1e-5
CASES = [
    ("LayerNorm", {"normalized_shape": (4, 6), "eps": 1e-3}, (3, 4, 6)),
    ("LayerNorm", {"normalized_shape": 5, "bias": False}, (2, 3, 5)),
    ("Dropout", {"p": 0.0}, (4, 6)),
    ("Dropout", {"p": 1.0}, (4, 6)),
    ("Conv2d", {"in_channels": 4, "out_channels": 2, "kernel_size": (3, 5), "stride": 2, "padding": (1, 2),
                "groups": 2, "bias": False}, (1, 4, 7, 8)),
    ("Conv2d", {"in_channels": 2, "out_channels": 3, "kernel_size": 4, "padding": "same", "dilation": 2}, (1, 2, 6, 7)),
    ("Upsample", {"scale_factor": 2.0, "mode": "bilinear", "align_corners": True}, (1, 2, 3, 4)),
    ("Upsample", {"scale_factor": (2, 1.5), "mode": "bilinear"}, (1, 2, 3, 4)),
    ("InstanceNorm2d", {"num_features": 3, "affine": True}, (2, 3, 4, 5)),
    ("InstanceNorm2d", {"num_features": 2, "eps": 1e-3}, (2, 3, 4)),
    ("ReLU", {"inplace": False}, (2, 5)),
    ("SiLU", {"inplace": False}, (2, 5)),
    ("GELU", {}, (2, 5)),
    ("GELU", {"approximate": "tanh"}, (2, 5)),
]


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_twin_equals_real_torch(name, kwargs, shape):
    real = getattr(torch.nn, name)(**kwargs)
    twin = getattr(twin_nn, name)(**kwargs)
    ours_names = {n for n, _ in twin.parameters_and_names()}
    assert ours_names == {n for n, _ in real.named_parameters()}, "the twin keeps torch's parameter names"
    rng = np.random.default_rng(1)
    for pname, param in twin.parameters_and_names():   # non-trivial weights, the same on both sides
        value = rng.standard_normal(param.shape).astype(np.float32)
        param.set_data(mindspore.Tensor(value))
        with torch.no_grad():
            real.get_parameter(pname).copy_(torch.from_numpy(value))
    specs = (InputSpec(shape),)
    arrays = [rng.standard_normal(shape).astype(np.float32)]
    for train in (True, False) if name == "Dropout" else (True,):   # the others compute alike in both modes
        ref = h.run_torch(real, arrays, specs, train=train)
        ours = h.run_mindspore(twin, arrays, specs, train=train)
        pairs = [(ours.outputs[0], ref.outputs[0], "output")]
        if ref.input_grads and ref.input_grads[0] is not None:
            pairs.append((ours.input_grads[0], ref.input_grads[0], "dx"))
        pairs += [(ours.param_grads[n], g, n) for n, g in ref.param_grads.items()]
        for a, b, what in pairs:
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=RTOL * float(np.abs(b).max() or 1), err_msg=what)


def test_dropout_twin_statistics_and_p_one():
    n, p = 20000, 0.3
    twin = twin_nn.Dropout(p)
    twin.set_train(True)
    out = twin(mindspore.Tensor(np.ones(n, np.float32))).asnumpy()
    ref = torch.nn.Dropout(p)(torch.ones(n)).numpy()
    for values in (out, ref):   # drop fraction within a 5-sigma binomial bound, kept values scaled alike
        assert abs(np.mean(values == 0) - p) < 5 * np.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(np.unique(out[out != 0]), np.unique(ref[ref != 0]), rtol=1e-6)
    with pytest.raises(ValueError):   # MindSpore's own Dropout refuses p = 1, which torch takes
        mindspore.nn.Dropout(p=1.0)


def test_twins_reject_what_torch_rejects():
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError):
            torch.nn.Dropout(bad)
        with pytest.raises(ValueError):
            twin_nn.Dropout(bad)
    with pytest.raises(ValueError):
        torch.nn.Upsample()(torch.ones(1, 1, 2, 2))
    with pytest.raises(ValueError):
        twin_nn.Upsample()(mindspore.Tensor(np.ones((1, 1, 2, 2), np.float32)))
    with pytest.raises(RuntimeError):
        torch.nn.LayerNorm(5)(torch.ones(2, 4))
    with pytest.raises(RuntimeError):
        twin_nn.LayerNorm(5)(mindspore.Tensor(np.ones((2, 4), np.float32)))
