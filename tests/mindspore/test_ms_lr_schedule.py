"""msbridge's ``nn.*DecayLR`` schedule classes against real MindSpore, bit for bit (float32)."""

import mindspore
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from ms_reference import our_nn, our_schedule_value, outcome, real_nn, real_schedule_value

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


# Real MindSpore's cell takes a 1-D step tensor in one call (~1000x cheaper than 1000+ scalar calls). For
# these configs that vector output is bit-identical to its scalar path (re-checked every run on a sample);
# for the others MindSpore's vector kernel rounds differently from its scalar one, so they go step by step.
SCALAR_REFERENCE_ONLY = {
    ("NaturalExpDecayLR", (0.1, 0.05, 4)),
    ("NaturalExpDecayLR", (0.1, 0.05, 3, True)),
    ("PolynomialDecayLR", (0.1, 0.01, 300, 0.5, True)),
}
SCALAR_SAMPLE = list(range(0, 1000, 23)) + [999] + LONG_STEPS


def real_values(real, name, args, steps):
    """MindSpore's float32 bits for ``steps`` as its scalar path (what an optimizer feeds it) computes them."""
    if (name, args) in SCALAR_REFERENCE_ONLY:
        return np.array([real_schedule_value(real, s) for s in steps])
    vector = np.float32(real(mindspore.Tensor(np.array(steps, dtype=np.int64))).asnumpy()).view(np.int32)
    sample = np.array([real_schedule_value(real, s) for s in SCALAR_SAMPLE])
    assert (vector[[steps.index(s) for s in SCALAR_SAMPLE]] == sample).all(), (
        f"MindSpore's vector path no longer equals its scalar path for {name}{args}: move it to SCALAR_REFERENCE_ONLY"
    )
    return vector


@pytest.mark.parametrize("name,args", CONFIGS, ids=[f"{n}{a}" for n, a in CONFIGS])
def test_every_step_to_1000_and_far_steps_bit_exact(name, args):
    real, ours = pair(name, args)
    steps = list(range(1000)) + LONG_STEPS
    expected = real_values(real, name, args, steps)
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


@settings(max_examples=30, deadline=None)
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


@settings(max_examples=30, deadline=None)
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


def test_user_override_of_construct_is_called_for_int_steps():
    """The int-step fast path belongs to the built-in recipe; a subclass's own construct must run."""
    class Doubled(our_nn.ExponentialDecayLR):
        def construct(self, global_step):
            return 2 * super().construct(global_step)

    schedule, plain = Doubled(0.1, 0.9, 4), our_nn.ExponentialDecayLR(0.1, 0.9, 4)
    assert torch.equal(schedule(3), 2 * plain(3))


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


# ---- extreme hyper-parameters and steps, each against real MindSpore in this run ----------------

EXTREME_CONFIGS = [
    ("ExponentialDecayLR", (0.1, 0.9, 4)),
    ("ExponentialDecayLR", (0.1, 0.9, 4, True)),
    ("ExponentialDecayLR", (1e39, 0.9, 4)),  # learning_rate is inf in float32
    ("ExponentialDecayLR", (1e-40, 0.9, 4)),  # a subnormal float32 learning_rate
    ("ExponentialDecayLR", (0.1, 1e39, 3)),  # decay_rate is inf in float32
    ("ExponentialDecayLR", (0.1, 1e-46, 2)),  # decay_rate rounds to 0 in float32
    ("ExponentialDecayLR", (0.1, 10.0, 1)),  # overflows to inf from step 39
    ("ExponentialDecayLR", (0.1, 0.9, 2**63)),  # every call raises SystemError
    ("ExponentialDecayLR", (0.1, 0.9, 2**60 + 2**36 + 1)),  # MindSpore rounds a Python int bound via float64
    ("CosineDecayLR", (0.01, 0.1, 2**60 + 2**36 + 1)),
    ("WarmUpLR", (0.1, 2**60 + 2**36 + 1)),
    ("NaturalExpDecayLR", (0.1, 0.05, 3, True)),
    ("NaturalExpDecayLR", (0.1, 1e39, 4)),
    ("NaturalExpDecayLR", (0.1, 0.05, 2**63)),  # non-stair never uses decay_steps
    ("NaturalExpDecayLR", (0.1, 0.05, 2**63, True)),  # stair: RuntimeError
    ("InverseDecayLR", (0.1, 0.5, 10)),
    ("InverseDecayLR", (0.1, 1e39, 10, True)),
    ("InverseDecayLR", (1e39, 0.5, 10)),
    ("CosineDecayLR", (0.01, 0.1, 100)),
    ("CosineDecayLR", (0.0, 1e39, 100)),
    ("CosineDecayLR", (0.01, 0.1, 2**31)),  # an int32 step wraps the bound
    ("CosineDecayLR", (0.01, 0.1, 2**63)),
    ("PolynomialDecayLR", (0.1, 0.01, 100, 2.0)),
    ("PolynomialDecayLR", (0.1, 0.01, 100, 2.0, True)),
    ("PolynomialDecayLR", (0.1, 0.01, 100, 1e39)),  # power is inf in float32
    ("PolynomialDecayLR", (0.1, 0.01, 100, 1e-46)),  # power rounds to 0: pow(0, 0) = 1
    ("PolynomialDecayLR", (0.1, 0.01, 2**63, 0.5)),
    ("PolynomialDecayLR", (0.1, 0.01, 2**63, 0.5, True)),
    ("WarmUpLR", (0.1, 50)),
    ("WarmUpLR", (1e39, 50)),
    ("WarmUpLR", (0.1, 2**31)),
    ("WarmUpLR", (0.1, 2**63)),
]

NAN, INF = float("nan"), float("inf")
EXTREME_STEPS = [
    ("int", 0), ("int", 7), ("int", 150), ("int", -1), ("int", 2**24 + 1), ("int", 2**53 + 1),
    ("int", 2**62 + 2**38 + 1), ("int", 2**62 + 2**38), ("int", 2**60 + 2**36 + 1), ("int", 2**62),
    ("int", 2**63 - 1), ("int", -2**63),
    ("int", 2**63), ("int", 2**63 + 2**39 + 1), ("int", 2**64 - 1), ("int", 2**64), ("int", -2**63 - 1),
    ("int", 10**20),
    ("float", NAN), ("float", INF), ("float", -INF), ("float", 1e308), ("float", 3.4028235e38),
    ("float", -0.0), ("float", 2.5), ("float", -1e30), ("float", 1e-45), ("float", 9.3e18),
    ("float32", NAN), ("float32", INF), ("float32", -INF), ("float64", NAN), ("float64", 1e300),
    ("int32", 2**31 - 1), ("int32", -2**31), ("int32", 7), ("int64", 2**62), ("int64", 2**60 + 2**36 + 1),
]


def _outcome_bits(schedule, step, to_tensor):
    """float32 bits of the result, or the exception type (messages differ for MindSpore's C++ errors)."""
    try:
        result = schedule(to_tensor(step))
    except Exception as error:  # noqa: BLE001 - we compare whatever MindSpore raises
        return ("raise", type(error).__name__)
    array = result.asnumpy() if hasattr(result, "asnumpy") else result.numpy()
    return ("ok", str(array.dtype), int(np.float32(array).view(np.int32)))


def _step_makers(kind):
    if kind in ("int", "float"):
        return (lambda s: s), (lambda s: s)
    return (lambda s: mindspore.Tensor(s, getattr(mindspore, kind))), (lambda s: torch.tensor(s, dtype=getattr(torch, kind)))


@pytest.mark.parametrize("name,args", EXTREME_CONFIGS, ids=[f"{n}{a}" for n, a in EXTREME_CONFIGS])
def test_extreme_configs_and_steps_match_mindspore(name, args):
    real, ours = pair(name, args)
    differ = []
    for kind, step in EXTREME_STEPS:
        to_ms, to_torch = _step_makers(kind)
        expected = _outcome_bits(real, step, to_ms)
        got = _outcome_bits(ours, step, to_torch)
        if got != expected:
            differ.append(f"{kind} {step}: MindSpore {expected}, msbridge {got}")
    assert not differ, "\n".join(differ)


@pytest.mark.parametrize("name,args", [
    ("CosineDecayLR", (0.001, 0.01, 100)), ("PolynomialDecayLR", (0.1, 0.01, 100, 2.0)), ("WarmUpLR", (0.1, 50)),
])
def test_nan_step_is_clamped_like_mindspores_minimum(name, args):
    """Issue 11: MindSpore's Minimum returns the bound for a nan step (0.01 / 0.01 / 0.1 here), not nan."""
    real, ours = pair(name, args)
    expected = real(mindspore.Tensor(NAN, mindspore.float32)).asnumpy()
    assert not np.isnan(expected)
    for step in (NAN, torch.tensor(NAN), torch.tensor([NAN, 3.0], dtype=torch.float64)):
        got = ours(step).numpy().reshape(-1)[0]
        assert np.float32(got).view(np.int32) == np.float32(expected).view(np.int32)


def test_python_int_step_beyond_int64_raises_runtime_error_like_mindspore():
    """Issue 11: a step count of 10**20 is refused, with MindSpore's exception type and a clearer message."""
    for name, args in (("ExponentialDecayLR", (0.1, 0.9, 4)), ("WarmUpLR", (0.1, 50))):
        real, ours = pair(name, args)
        with pytest.raises(RuntimeError):
            real(10**20)
        with pytest.raises(RuntimeError, match=r"global_step 100000000000000000000 does not fit in int64"):
            ours(10**20)


def test_decay_steps_beyond_uint64_raise_type_error_like_mindspore():
    """MindSpore's validation calls np.isinf, which raises TypeError for ints outside int64/uint64."""
    for value in (2**64, 10**20, -2**63 - 1):
        expected = outcome(real_nn.ExponentialDecayLR, 0.1, 0.9, value)
        assert expected[0] == "raise" and expected[1] is TypeError
        assert outcome(our_nn.ExponentialDecayLR, 0.1, 0.9, value) == expected
