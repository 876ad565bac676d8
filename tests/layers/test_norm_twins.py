"""msbridge.mindspore.nn's LayerNorm, GELU and BatchNorm2d twins (torch classes taking MindSpore's arguments)
against the real MindSpore layers, side by side: the calls ported code makes through ``norm_layer=nn.LayerNorm``
or ``partial(nn.GELU, approximate=False)``. Parameters keep torch's names (weight/bias/running_*), mapped from
MindSpore's gamma/beta/moving_* here; tolerances are the table rows' (float32-rounding, rtol 1e-5).
"""
import mindspore
import numpy as np
import pytest
import torch

import layer_harness as h
from msbridge.mindspore import nn as twin_nn
from msbridge.tables import load_tables
from msbridge.tables.records import InputSpec

TABLES = load_tables()
TORCH_NAME = {"gamma": "weight", "beta": "bias", "moving_mean": "running_mean", "moving_variance": "running_var"}


def _array(shape, seed=1):
    return (np.random.default_rng(seed).standard_normal(shape) * 2 + 0.5).astype(np.float32)


def _shared(real, twin):
    """(MindSpore name, MindSpore value, the twin's tensor); affine=False: MindSpore keeps a fixed gamma of ones and
    beta of zeros, torch none."""
    state = twin.state_dict()
    for name, param in real.parameters_and_names():
        value = param.asnumpy()
        torch_name = TORCH_NAME[name.rsplit(".", 1)[-1]]
        if torch_name not in state:
            assert not param.requires_grad and np.all(value == (1 if torch_name == "weight" else 0)), name
            continue
        yield name, value, state[torch_name]


def _copy_params(real, twin) -> None:
    for _, value, tensor in list(_shared(real, twin)):
        with torch.no_grad():
            tensor.copy_(torch.from_numpy(value))


LAYER_CASES = [   # (row, class, kwargs, input shape)
    ("nn.LayerNorm", "LayerNorm", {"normalized_shape": (6,)}, (3, 4, 6)),
    ("nn.LayerNorm", "LayerNorm", {"normalized_shape": [6], "epsilon": 1e-6}, (2, 6)),
    ("nn.LayerNorm", "LayerNorm", {"normalized_shape": (4, 6), "begin_norm_axis": 1, "begin_params_axis": 1},
     (2, 4, 6)),
    ("nn.LayerNorm", "LayerNorm", {"normalized_shape": (6,), "begin_norm_axis": 1, "gamma_init": "normal",
                                   "beta_init": "normal"}, (2, 4, 6)),
    ("nn.LayerNorm", "LayerNorm", {"normalized_shape": (4, 6), "begin_params_axis": 1}, (2, 4, 6)),
    ("nn.GELU", "GELU", {}, (4, 8)),
    ("nn.GELU", "GELU", {"approximate": False}, (4, 8)),
    ("nn.GELU", "GELU", {"approximate": True}, (4, 8)),
]


@pytest.mark.parametrize("row_id,name,kwargs,shape", LAYER_CASES,
                         ids=[f"{c[1]}-{i}" for i, c in enumerate(LAYER_CASES)])
def test_twin_equals_real_mindspore(row_id, name, kwargs, shape):
    row = TABLES.row(row_id)
    h.seed_both(0)
    real, twin = getattr(mindspore.nn, name)(**kwargs), getattr(twin_nn, name)(**kwargs)
    assert isinstance(twin, getattr(torch.nn, name)), "the twin is torch's class"
    _copy_params(real, twin)
    specs, arrays = (InputSpec(shape),), [_array(shape)]
    ref = h.run_mindspore(real, arrays, specs, train=True)
    ours = h.run_torch(twin, arrays, specs, train=True)
    h.assert_close(row, ours.outputs[0], ref.outputs[0], "output")
    h.assert_close(row, ours.input_grads[0], ref.input_grads[0], "dx")
    assert {TORCH_NAME[n] for n in ref.param_grads} == set(ours.param_grads)
    for name_, grad in ref.param_grads.items():
        h.assert_close(row, ours.param_grads[TORCH_NAME[name_]], grad, name_)


BN_CASES = [   # kwargs; the same train step, then eval
    {"num_features": 3},
    {"num_features": 3, "momentum": 0.99, "eps": 1e-3},
    {"num_features": 3, "momentum": 0.9, "affine": False},
    {"num_features": 3, "gamma_init": "normal", "moving_mean_init": "normal", "moving_var_init": 2.0},
    {"num_features": 3, "use_batch_statistics": True},
    {"num_features": 3, "use_batch_statistics": False, "moving_var_init": 3.0},
]


@pytest.mark.parametrize("kwargs", BN_CASES, ids=[f"bn-{i}" for i in range(len(BN_CASES))])
def test_batchnorm2d_twin_train_step_then_eval(kwargs):
    row = TABLES.row("nn.BatchNorm2d")
    h.seed_both(0)
    real, twin = mindspore.nn.BatchNorm2d(**kwargs), twin_nn.BatchNorm2d(**kwargs)
    assert isinstance(twin, torch.nn.BatchNorm2d) and twin.training is real.training is False   # MindSpore's mode
    _copy_params(real, twin)
    for step, (train, seed) in enumerate([(True, 1), (True, 2), (False, 3)]):
        x = _array((4, 3, 2, 3), seed)
        real.set_train(train)
        twin.train(train)
        with torch.no_grad():
            h.assert_close(row, twin(torch.from_numpy(x)).numpy(), real(mindspore.Tensor(x)).asnumpy(), f"out {step}")
        for name, value, tensor in _shared(real, twin):
            h.assert_close(row, tensor.numpy(), value, f"{name} after {step}")


def _raises_like(make_real, make_twin):
    with pytest.raises(Exception) as real_error:
        make_real()
    with pytest.raises(real_error.type):
        make_twin()


@pytest.mark.parametrize("name,args,kwargs,shape", [
    ("LayerNorm", (6,), {}, None),                                     # an int: MindSpore wants a tuple/list
    ("LayerNorm", ((),), {}, None),
    ("LayerNorm", ((5,),), {}, (2, 6)),                                # gamma does not match the input
    ("LayerNorm", ((6,),), {"begin_norm_axis": -2}, (2, 6)),           # axes: -1 or [0, rank), when it runs
    ("LayerNorm", ((6,),), {"begin_params_axis": 3}, (2, 6)),
    ("LayerNorm", ((6,),), {"gamma_init": "no-such-init"}, None),
    ("GELU", ("tanh",), {}, None),
    ("GELU", (1,), {}, None),
    ("BatchNorm2d", (3.0,), {}, None),
    ("BatchNorm2d", (0,), {}, None),
    ("BatchNorm2d", (3,), {"momentum": 1.5}, None),
    ("BatchNorm2d", (3,), {"momentum": "a"}, None),
    ("BatchNorm2d", (3,), {"data_format": "nchw"}, None),
    ("BatchNorm2d", (3,), {"data_format": "NHWC"}, None),              # MindSpore: GPU only; msbridge: never
    ("BatchNorm2d", (3,), {"use_batch_statistics": 1}, None),
    ("BatchNorm2d", (3,), {"affine": 1}, None),
    ("BatchNorm2d", (3,), {}, (2, 3, 4)),                              # not 4-D
])
def test_twin_rejects_what_mindspore_rejects(name, args, kwargs, shape):
    def make(module, tensor):
        layer = getattr(module, name)(*args, **kwargs)
        if shape is not None:
            layer(tensor(_array(shape)))
    _raises_like(lambda: make(mindspore.nn, mindspore.Tensor), lambda: make(twin_nn, torch.from_numpy))


def test_twins_are_torch_layers_to_msbridge_s_own_tools():
    """Subclassing torch's class: the checkpoint map and MindSpore's weight-decay grouping (no decay of
    gamma/beta) see the twins as the torch layers they are."""
    from msbridge.bridge.checkpoint_models import describe
    from msbridge.bridge.weight_decay import mindspore_decay_groups

    net = torch.nn.Sequential(twin_nn.Dense(3, 6), twin_nn.LayerNorm((6,)), twin_nn.GELU())
    decayed, kept = mindspore_decay_groups(net)
    assert [id(p) for p in kept["params"]] == [id(net[1].weight), id(net[1].bias)] and len(decayed["params"]) == 2
    bn = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 1), twin_nn.BatchNorm2d(3))
    assert describe(bn) == describe(torch.nn.Sequential(torch.nn.Conv2d(1, 3, 1), torch.nn.BatchNorm2d(3)))
    # MindSpore's names read the same tensors (mindcv: `cell.gamma.set_data(...)` under isinstance(cell, LayerNorm))
    assert net[1].gamma is net[1].weight and net[1].beta is net[1].bias and "gamma" not in net.state_dict()
    assert all(a is b for a, b in zip((bn[1].gamma, bn[1].beta, bn[1].moving_mean, bn[1].moving_variance),
                                      (bn[1].weight, bn[1].bias, bn[1].running_mean, bn[1].running_var)))
