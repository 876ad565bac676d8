"""Optimizer construction arguments both ways, with the real optimizers built from the result."""
import mindspore
import mindspore.nn as ms_nn
import pytest
import torch

from msbridge.bridge import (
    optimizer_kwargs_to_mindspore, optimizer_kwargs_to_torch, optimizer_to_mindspore, optimizer_to_torch,
)
from msbridge.bridge.real_api import resolve
from msbridge.tables import load_tables
from msbridge.tables.translate import RowDoesNotApply, UnsupportedArgument, bind, same_value

OPTIMIZER_ROWS = [row for row in load_tables().rows if row.file == "mapping_tables/optimizers.toml"]


def test_adam_betas_split_and_rename():
    translation = optimizer_kwargs_to_torch("mindspore.nn.Adam", {"learning_rate": 0.01, "beta1": 0.8})
    assert translation.api == "torch.optim.Adam"
    assert translation.kwargs == {"lr": 0.01, "betas": (0.8, 0.999)}
    back = optimizer_kwargs_to_mindspore("torch.optim.Adam", {"lr": 0.01, "betas": (0.8, 0.99), "amsgrad": True})
    assert back.kwargs == {"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.99, "use_amsgrad": True}


def test_differing_defaults_are_written_out_even_when_omitted():
    # the values are the real frameworks' defaults, read from their signatures
    ms_defaults = bind(load_tables().row("optim.AdamWeightDecay").mindspore)[1]
    assert optimizer_kwargs_to_torch("mindspore.nn.AdamWeightDecay").kwargs == \
        {"eps": ms_defaults["eps"], "weight_decay": ms_defaults["weight_decay"]}
    sgd_defaults = bind(load_tables().row("optim.SGD").mindspore)[1]
    assert optimizer_kwargs_to_torch("mindspore.nn.SGD").kwargs == {"lr": sgd_defaults["learning_rate"]}
    assert optimizer_kwargs_to_mindspore("torch.optim.Adagrad").kwargs == \
        {"accum": 0.0, "learning_rate": torch.optim.Adagrad.__init__.__defaults__[0]}


def test_positional_order_differences_are_resolved():
    # MindSpore's Adagrad takes accum before learning_rate
    assert optimizer_kwargs_to_torch("mindspore.nn.Adagrad", args=(0.2, 0.05)).kwargs == \
        {"lr": 0.05, "initial_accumulator_value": 0.2}


def test_momentum_requires_its_arguments_and_refuses_nesterov():
    assert optimizer_kwargs_to_torch("mindspore.nn.Momentum", {"learning_rate": 0.1, "momentum": 0.9}).kwargs == \
        {"lr": 0.1, "momentum": 0.9}
    with pytest.raises(TypeError, match="missing a required argument: 'momentum'"):
        optimizer_kwargs_to_torch("mindspore.nn.Momentum", {"learning_rate": 0.1})
    with pytest.raises(RowDoesNotApply, match="use mindspore.nn.SGD\\(nesterov=True\\)"):
        optimizer_kwargs_to_torch("mindspore.nn.Momentum", {"learning_rate": 0.1, "momentum": 0.9, "use_nesterov": True})


@pytest.mark.parametrize("api,kwargs,message", [
    ("torch.optim.Adam", {"maximize": True}, "always minimise"),
    ("mindspore.nn.Adam", {"loss_scale": 128.0}, "loss_scale"),
    ("torch.optim.AdamW", {"amsgrad": True}, "no AMSGrad"),
    ("torch.optim.Adagrad", {"lr_decay": 0.1}, "no lr decay"),
    ("mindspore.nn.Adam", {"use_lazy": True}, "no counterpart"),
])
def test_unsupported_arguments_say_what_to_do(api, kwargs, message):
    translate = optimizer_kwargs_to_torch if api.startswith("mindspore") else optimizer_kwargs_to_mindspore
    with pytest.raises(UnsupportedArgument, match=message):
        translate(api, kwargs)


def test_torch_only_switches_are_dropped_with_a_note():
    translation = optimizer_kwargs_to_mindspore("torch.optim.SGD", {"lr": 0.1, "foreach": True})
    assert translation.kwargs == {"learning_rate": 0.1}
    assert translation.dropped == (("foreach", "Kernel choice only; dropped."),)


@pytest.mark.parametrize("row", OPTIMIZER_ROWS, ids=[row.id for row in OPTIMIZER_ROWS])
def test_round_trip_through_torch_keeps_the_mindspore_call(row):
    example = next(e for e in row.examples if e.source == "mindspore")
    there = optimizer_kwargs_to_torch(row.mindspore.name, example.kwargs)
    back = optimizer_kwargs_to_mindspore(there.api, there.kwargs)
    if back.api != row.mindspore.name:  # torch SGD translates to nn.SGD, which also covers Momentum's calls
        return
    original, returned = bind(row.mindspore, (), example.kwargs)[1], bind(row.mindspore, (), back.kwargs)[1]
    assert all(same_value(original[k], returned[k]) for k in original)


def test_constructs_real_optimizers():
    torch_params = [torch.nn.Parameter(torch.zeros(3))]
    optimizer = optimizer_to_torch("mindspore.nn.AdaMax", torch_params, {"beta2": 0.99})
    assert isinstance(optimizer, torch.optim.Adamax) and optimizer.defaults["betas"] == (0.9, 0.99)
    assert optimizer.defaults["lr"] == bind(load_tables().row("optim.AdaMax").mindspore)[1]["learning_rate"]
    ms_params = [mindspore.Parameter(mindspore.Tensor([0.0, 1.0]), name="w")]
    ms_optimizer = optimizer_to_mindspore("torch.optim.RMSprop", ms_params, {"lr": 0.02})
    assert isinstance(ms_optimizer, ms_nn.RMSProp)
    assert resolve("torch.optim.RMSprop") is torch.optim.RMSprop
