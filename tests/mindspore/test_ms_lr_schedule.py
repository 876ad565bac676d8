"""msbridge's ``nn.*DecayLR`` schedule classes against real MindSpore, bit for bit (float32)."""

import mindspore
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from ms_reference import our_nn, our_schedule_value, real_nn, real_schedule_value

LONG_STEPS = [10**4 + 13, 10**5 + 7, 10**6 + 3, 2**24 - 1, 2**24 + 1, 2**24 + 3, 2**30 + 5]

CONFIGS = [
    ("ExponentialDecayLR", (0.1, 0.9, 4)),
    ("ExponentialDecayLR", (0.1, 0.9, 7, True)),
    ("NaturalExpDecayLR", (0.1, 0.05, 4)),
    ("NaturalExpDecayLR", (0.1, 0.05, 3, True)),
    ("InverseDecayLR", (0.1, 0.5, 10)),
    ("InverseDecayLR", (0.1, 0.5, 3, True)),
    ("CosineDecayLR", (0.001, 0.1, 1000)),
    ("PolynomialDecayLR", (0.1, 0.01, 1000, 2.0)),
    ("PolynomialDecayLR", (0.1, 0.01, 300, 0.5, True)),
    ("WarmUpLR", (0.1, 500)),
]


def pair(name, args):
    return getattr(real_nn, name)(*args), getattr(our_nn, name)(*args)


def test_seed_example_value():
    value = our_nn.ExponentialDecayLR(0.1, 0.9, 4)(2)
    assert value.dtype == torch.float32 and value.dim() == 0
    real = real_nn.ExponentialDecayLR(0.1, 0.9, 4)(mindspore.Tensor(2, mindspore.int32)).asnumpy()
    assert value.numpy().tobytes() == np.float32(real).tobytes()
    assert repr(np.float32(value.item())) == "0.094868325"


@pytest.mark.parametrize("name,args", CONFIGS, ids=[f"{n}{a}" for n, a in CONFIGS])
def test_every_step_to_1000_and_far_steps_bit_exact(name, args):
    real, ours = pair(name, args)
    steps = list(range(1000)) + LONG_STEPS
    expected = np.array([real_schedule_value(real, s) for s in steps])
    scalar = np.array([our_schedule_value(ours, s) for s in steps])
    assert (scalar == expected).all(), f"{(scalar != expected).sum()} of {len(steps)} steps differ"
    vector = ours(torch.tensor(steps)).numpy().view(np.int32)
    assert (vector == expected).all(), "a 1-D step tensor must equal the scalar path element-wise"


step_inputs = st.sampled_from(["int", "float", "np_int32", "np_float32", "int32", "int64", "float32", "float64"])


def _as_inputs(kind, step):
    """The same step as MindSpore receives it and as msbridge receives it."""
    if kind == "int":
        return int(step), int(step)
    if kind == "float":
        return float(step), float(step)
    if kind.startswith("np_"):
        value = getattr(np, kind[3:])(step)
        return value, value
    ms_dtype, torch_dtype = getattr(mindspore, kind), getattr(torch, kind)
    return mindspore.Tensor(step, ms_dtype), torch.tensor(step, dtype=torch_dtype)


@settings(max_examples=80, deadline=None)
@given(config=st.sampled_from(CONFIGS), kind=step_inputs, step=st.one_of(
    st.integers(0, 5000), st.sampled_from(LONG_STEPS), st.floats(0, 3000).map(lambda x: round(x, 2))))
def test_step_types_bit_exact(config, kind, step):
    if kind in ("int", "np_int32", "int32", "int64"):
        step = int(step)
    real, ours = pair(*config)
    ms_step, our_step = _as_inputs(kind, step)
    expected = np.float32(real(ms_step).asnumpy()).view(np.int32)
    got = ours(our_step)
    assert got.dtype == torch.float32
    assert np.float32(got.numpy()).view(np.int32) == expected


lr_values = st.floats(1e-5, 1.0)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_hyper_parameters_bit_exact(data):
    name = data.draw(st.sampled_from(sorted({n for n, _ in CONFIGS})))
    if name in ("ExponentialDecayLR", "NaturalExpDecayLR", "InverseDecayLR"):
        args = (data.draw(lr_values), data.draw(st.floats(0.01, 1.5)), data.draw(st.integers(1, 500)),
                data.draw(st.booleans()))
    elif name == "CosineDecayLR":
        low = data.draw(st.floats(0.0, 0.05))
        args = (low, low + data.draw(st.floats(1e-4, 1.0)), data.draw(st.integers(1, 5000)))
    elif name == "PolynomialDecayLR":
        args = (data.draw(lr_values), data.draw(st.floats(0.0, 0.5)), data.draw(st.integers(1, 2000)),
                data.draw(st.floats(0.1, 4.0)), data.draw(st.booleans()))
    else:
        args = (data.draw(st.floats(0.0, 1.0)), data.draw(st.integers(1, 2000)))
    real, ours = pair(name, args)
    steps = data.draw(st.lists(st.integers(0, 10**7), min_size=1, max_size=20))
    expected = np.array([real_schedule_value(real, s) for s in steps])
    assert (np.array([our_schedule_value(ours, s) for s in steps]) == expected).all()
    assert (ours(torch.tensor(steps)).numpy().view(np.int32) == expected).all()


def test_negative_and_fractional_steps_extrapolate_like_mindspore():
    real, ours = pair("ExponentialDecayLR", (0.1, 0.9, 4))
    for step in (-1, -7):
        assert our_schedule_value(ours, step) == real_schedule_value(real, step)
    for step in (5.5, 0.25):
        assert our_schedule_value(ours, step) == real_schedule_value(real, step, mindspore.float32)


def test_natural_exp_decay_ignores_decay_steps_unless_stair():
    """MindSpore's code contradicts its docstring here; ported code must compute what it computed."""
    for steps in (4, 100):
        real, ours = pair("NaturalExpDecayLR", (0.1, 0.9, steps))
        assert our_schedule_value(ours, 5) == real_schedule_value(real, 5)
    assert our_nn.NaturalExpDecayLR(0.1, 0.9, 4)(5) == our_nn.NaturalExpDecayLR(0.1, 0.9, 100)(5)


def test_two_dimensional_step_keeps_shape():
    ours = our_nn.WarmUpLR(0.1, 10)
    steps = torch.arange(12).reshape(3, 4)
    out = ours(steps)
    assert out.shape == (3, 4)
    assert torch.equal(out.reshape(-1), ours(torch.arange(12)))


def test_bool_steps_count_as_one_like_mindspore():
    real, ours = pair("ExponentialDecayLR", (0.1, 0.9, 4))
    expected = real_schedule_value(real, True, mindspore.bool_)
    assert real_schedule_value(real, 1) == expected
    for step in (True, np.bool_(True), torch.tensor(True)):
        assert our_schedule_value(ours, step) == expected


@pytest.mark.parametrize("bad", [np.array([1, 2]), np.array(3), "3", None, torch.tensor(1 + 2j)])
def test_bad_step_types_raise_type_error(bad):
    with pytest.raises(TypeError, match="global_step"):
        our_nn.ExponentialDecayLR(0.1, 0.9, 4)(bad)
    if isinstance(bad, (np.ndarray, str)):  # MindSpore rejects these with TypeError too
        with pytest.raises(TypeError):
            real_nn.ExponentialDecayLR(0.1, 0.9, 4)(bad)


def test_user_subclass_gets_a_tensor_like_mindspore():
    class Halving(our_nn.LearningRateSchedule):
        def construct(self, global_step):
            return 0.1 * torch.pow(torch.tensor(0.5), global_step.to(torch.float32))

    assert isinstance(Halving()(3), torch.Tensor)
    assert Halving()(1).item() == pytest.approx(0.05)


@pytest.mark.parametrize("name,args", CONFIGS, ids=[f"{n}{a}" for n, a in CONFIGS])
def test_output_follows_the_step_device(name, args):
    """No GPU here: the meta device checks that results follow a non-CPU step (shape, dtype, device)."""
    schedule = getattr(our_nn, name)(*args)
    for step in (torch.tensor(3, device="meta"), torch.arange(5, device="meta")):
        out = schedule(step)
        assert (out.device.type, out.dtype, out.shape) == ("meta", torch.float32, step.shape)
