"""Random hyper-parameters: msbridge's schedulers on a MindSpore optimizer equal real torch's, bit for bit.

Each example builds one scheduler with drawn arguments on a torch SGD and on
``mindspore.nn.Momentum`` (two parameter groups with drawn LRs), steps both
(plain steps, or ``step(epoch)`` with drawn epochs), and compares
``get_last_lr()`` exactly after every step and the float32 LR MindSpore holds
at the end.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from mindspore import Parameter, Tensor, nn

from msbridge.torch.optim import lr_scheduler as ours

short_decimal = st.sampled_from([0.1, 0.05, 0.3, 1e-3, 3e-4, 0.02, 1.0, 0.25])
factor = st.floats(0.01, 1.0, allow_nan=False)
gamma = st.floats(0.5, 1.0, allow_nan=False)
count = st.integers(1, 40)

SCHEDULERS = st.one_of(
    st.builds(lambda s, g: lambda m, o: m.StepLR(o, s, g), count, gamma),
    st.builds(lambda ms_, g: lambda m, o: m.MultiStepLR(o, ms_, g), st.lists(st.integers(0, 60), max_size=5), gamma),
    st.builds(lambda f, t: lambda m, o: m.ConstantLR(o, f, t), factor, count),
    st.builds(lambda a, b, t: lambda m, o: m.LinearLR(o, a, b, t), factor, st.floats(0.0, 1.0), count),
    st.builds(lambda g: lambda m, o: m.ExponentialLR(o, g), gamma),
    st.builds(lambda t, p: lambda m, o: m.PolynomialLR(o, t, p), count, st.floats(0.0, 4.0)),
    st.builds(lambda t, e: lambda m, o: m.CosineAnnealingLR(o, t, e), count, st.sampled_from([0.0, 1e-4, 1e-3])),
    st.builds(lambda t, k, e: lambda m, o: m.CosineAnnealingWarmRestarts(o, t, k, e), count, st.integers(1, 3),
              st.sampled_from([0.0, 1e-4])),
    st.builds(
        lambda up, down, mode, g: lambda m, o: m.CyclicLR(o, 1e-3, 0.1, up, down, mode, g),
        count, st.one_of(st.none(), count), st.sampled_from(["triangular", "triangular2", "exp_range"]), gamma,
    ),
    st.builds(
        lambda pct, strat, three, div: lambda m, o: m.OneCycleLR(
            o, [0.1, 0.2], total_steps=80, pct_start=pct, anneal_strategy=strat, three_phase=three, div_factor=div
        ),
        st.floats(0.05, 0.45), st.sampled_from(["cos", "linear"]), st.booleans(), st.floats(2.0, 50.0),
    ),
    st.builds(lambda r: lambda m, o: m.LambdaLR(o, lambda e: r ** (e // 3)), gamma),
    st.builds(lambda r: lambda m, o: m.MultiplicativeLR(o, lambda e: r if e % 4 else 1.0), gamma),
)


def build_pair(lrs):
    tparams = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    topt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(tparams, lrs)], lr=lrs[0], momentum=0.9)
    mparams = [Parameter(Tensor(np.zeros(1, np.float32)), name=f"h{i}") for i in range(len(lrs))]
    mopt = nn.Momentum([{"params": [p], "lr": lr} for p, lr in zip(mparams, lrs)], lrs[0], momentum=0.9)
    return topt, mopt, mparams


@settings(max_examples=60, deadline=None)
@given(
    make=SCHEDULERS,
    lrs=st.tuples(short_decimal, short_decimal),
    epochs=st.one_of(st.none(), st.lists(st.integers(0, 100), min_size=1, max_size=30)),
)
def test_lrsched_random_hyperparameters_match_torch(make, lrs, epochs):
    topt, mopt, mparams = build_pair(lrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tsched = make(torch.optim.lr_scheduler, topt)
        msched = make(ours, mopt)
        assert msched.get_last_lr() == tsched.get_last_lr()
        moves = [None] * 79 if epochs is None or isinstance(tsched, torch.optim.lr_scheduler.OneCycleLR) else epochs
        for epoch in moves:
            if epoch is None:
                tsched.step()
                msched.step()
            else:
                tsched.step(epoch)
                msched.step(epoch)
            assert msched.get_last_lr() == tsched.get_last_lr()
    held = [float(mopt.get_lr_parameter(p)) for p in mparams]
    assert held == [float(np.float32(v)) for v in tsched.get_last_lr()]


@settings(max_examples=40, deadline=None)
@given(
    mode=st.sampled_from(["min", "max"]),
    threshold_mode=st.sampled_from(["rel", "abs"]),
    threshold=st.sampled_from([0.0, 1e-9, 1e-4, 0.01]),
    patience=st.integers(0, 4),
    cooldown=st.integers(0, 3),
    metrics=st.lists(st.floats(-1.0, 1.0, allow_nan=False), min_size=1, max_size=60),
)
def test_lrsched_random_plateau_matches_torch(mode, threshold_mode, threshold, patience, cooldown, metrics):
    topt, mopt, mparams = build_pair((0.1, 0.05))
    args = dict(mode=mode, threshold_mode=threshold_mode, threshold=threshold, patience=patience,
                cooldown=cooldown, factor=0.5, min_lr=[1e-4, 0.0])
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **args)
    msched = ours.ReduceLROnPlateau(mopt, **args)
    for value in metrics:
        tsched.step(value)
        msched.step(value)
        assert msched.get_last_lr() == tsched.get_last_lr()
        assert msched.num_bad_epochs == tsched.num_bad_epochs and msched.best == tsched.best
    held = [float(mopt.get_lr_parameter(p)) for p in mparams]
    assert held == [float(np.float32(v)) for v in tsched.get_last_lr()]
