"""The plot expression parser: known API calls with literal arguments, nothing ever executed."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msbridge.errors import UserError
from msbridge.plot.apis import APIS, EXPERIMENTAL, MINDSPORE, TORCH, resolve
from msbridge.plot.expression import ApiCall, parse_call


@pytest.mark.parametrize(
    "spelling, framework, name",
    [
        ("nn.exponential_decay_lr", MINDSPORE, "exponential_decay_lr"),
        ("mindspore.nn.exponential_decay_lr", MINDSPORE, "exponential_decay_lr"),
        ("ms.nn.ExponentialDecayLR", MINDSPORE, "ExponentialDecayLR"),
        ("mindspore.nn.learning_rate_schedule.WarmUpLR", MINDSPORE, "WarmUpLR"),
        ("warmup_lr", MINDSPORE, "warmup_lr"),
        ("lr_scheduler.StepLR", TORCH, "StepLR"),
        ("torch.optim.lr_scheduler.OneCycleLR", TORCH, "OneCycleLR"),
        ("optim.lr_scheduler.CosineAnnealingLR", TORCH, "CosineAnnealingLR"),
        ("StepLR", TORCH, "StepLR"),
        ("mindspore.experimental.optim.lr_scheduler.StepLR", EXPERIMENTAL, "StepLR"),
        ("experimental.lr_scheduler.SequentialLR", EXPERIMENTAL, "SequentialLR"),
    ],
)
def test_api_spellings_resolve(spelling, framework, name):
    api = resolve(spelling)
    assert (api.framework, api.name) == (framework, name)


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("nn.exponential_decay_lr(0.1, 0.9", ["cannot parse expression"]),
        ("  ", ["empty expression"]),
        ("0.1 * 0.9", ["expected an API call"]),
        ("nn.exponential_decay", ["expected an API call"]),
        ("nn.expnential_decay_lr(0.1, 0.9, 10, 1, 1)", ["unknown API 'nn.expnential_decay_lr'", "did you mean nn.exponential_decay_lr"]),
        ("torch.nn.StepLR(step_size=3)", ["unknown API 'torch.nn.StepLR'"]),
        ("nn.StepLR(step_size=3)", ["unknown API 'nn.StepLR'"]),
        ("lr_scheduler.exponential_decay_lr(0.1, 0.9, 10, 1, 1)", ["unknown API"]),
        ("os.system('true')", ["unknown API 'os.system'"]),
        ("__import__('os').system('true')", ["expected an API name"]),
        ("lr_scheduler.LambdaLR(lr_lambda=lambda e: lr * e)", ["'lambda e: lr * e' uses the variable 'lr'"]),
        ("lr_scheduler.LambdaLR(lr_lambda=lambda a, b: a)", ["not a literal value", "one-argument lambdas"]),
        ("lr_scheduler.ReduceLROnPlateau(mode='min')", ["cannot plot", "metric"]),
        ("experimental.lr_scheduler.OneCycleLR(max_lr=0.1)", ["mindspore.experimental.optim.lr_scheduler has no OneCycleLR"]),
        ("experimental.lr_scheduler.WarmUpLR(0.1, 3)", ["unknown API"]),
        ("nn.warmup_lr(lr, 10, 1, 2)", ["nn.warmup_lr: 'lr' uses the variable 'lr'; write its value instead"]),
        ("nn.warmup_lr(open('x'), 10, 1, 2)", ["argument \"open('x')\" is not a literal value", "'open' is not allowed"]),
        ("nn.warmup_lr(0.1, 10, 1, warmup_epoch=x.y)", ["argument 'x.y' is not a literal value"]),
        ("nn.warmup_lr(*args)", ["argument '*args' is not a literal value"]),
        ("nn.warmup_lr(**kwargs)", ["'**kwargs' is not supported"]),
        ("nn.warmup_lr(0.1 * 'a', 10, 1, 2)", ["is not a literal value", "TypeError"]),
        ("nn.warmup_lr(1 / 0, 10, 1, 2)", ["'1 / 0' is not a literal value", "ZeroDivisionError"]),
        ("nn.warmup_lr(10 ** 10 ** 10, 10, 1, 2)", ["too large"]),
        ("nn.piecewise_constant_lr([lr_scheduler.StepLR(step_size=1)], [0.1])", ["is not a literal value"]),
        ("lr_scheduler.SequentialLR(schedulers=[nn.WarmUpLR(0.1, 3)], milestones=[])", ["takes torch-shaped schedulers"]),
    ],
)
def test_user_mistakes_get_a_clear_user_error(text, fragments):
    with pytest.raises(UserError) as info:
        parse_call(text)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_nothing_in_the_expression_is_executed(tmp_path):
    marker = tmp_path / "executed"
    for text in (
        f"nn.warmup_lr(open({str(marker)!r}, 'w'), 10, 1, 2)",
        f"nn.warmup_lr([open({str(marker)!r}, 'w')][0], 10, 1, 2)",
        f"lr_scheduler.SequentialLR(schedulers=[open({str(marker)!r}, 'w')], milestones=[])",
    ):
        with pytest.raises(UserError):
            parse_call(text)
    assert not marker.exists()


def test_literal_arguments_and_arithmetic():
    call = parse_call("nn.exponential_decay_lr(0.1 * 0.5, 1 - 0.1, 2 ** 3 * 10, 10 // 3, -(-2), is_stair=True)")
    assert call.api is APIS["exponential_decay_lr"]
    assert call.args == (0.1 * 0.5, 1 - 0.1, 80, 3, 2)
    assert call.kwargs == {"is_stair": True}
    assert call.text.startswith("nn.exponential_decay_lr(")


def test_lambdas_become_functions_without_eval():
    call = parse_call("lr_scheduler.LambdaLR(lr_lambda=lambda epoch: 0.95 ** epoch if epoch < 10 else 0.5)")
    function = call.kwargs["lr_lambda"]
    assert [function(e) for e in (0, 3, 12)] == [0.95**0, 0.95**3, 0.5]


def test_torch_optimizer_placeholder_is_dropped():
    for text in (
        "lr_scheduler.StepLR(optimizer, 30, gamma=0.5)",
        "lr_scheduler.StepLR(opt, 30, gamma=0.5)",
        "lr_scheduler.StepLR(30, gamma=0.5, optimizer=opt)",
    ):
        call = parse_call(text)
        assert (call.args, call.kwargs) == ((30,), {"gamma": 0.5}), text


def test_nested_schedulers_only_inside_composites():
    call = parse_call(
        "lr_scheduler.SequentialLR(schedulers=[lr_scheduler.ConstantLR(factor=0.5, total_iters=2),"
        " lr_scheduler.ExponentialLR(gamma=0.9)], milestones=[2])"
    )
    inner = call.kwargs["schedulers"]
    assert [type(c) for c in inner] == [ApiCall, ApiCall]
    assert [c.api.name for c in inner] == ["ConstantLR", "ExponentialLR"]
    assert inner[0].kwargs == {"factor": 0.5, "total_iters": 2}
    assert call.kwargs["milestones"] == [2]
    with pytest.raises(UserError, match="is not a literal value"):
        parse_call("lr_scheduler.StepLR(step_size=lr_scheduler.StepLR(step_size=1))")


literals = st.recursive(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.booleans(),
        st.none(),
        st.text(alphabet="abcxyz_ 0123", max_size=8),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=4).map(tuple),
    max_leaves=10,
)


@settings(deadline=None, max_examples=150)
@given(args=st.lists(literals, max_size=4), kwargs=st.dictionaries(st.sampled_from(["a", "b", "gamma"]), literals))
def test_any_literal_arguments_round_trip(args, kwargs):
    shown = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
    call = parse_call(f"lr_scheduler.ExponentialLR({shown})")
    assert _same(call.args, tuple(args))
    assert _same(call.kwargs, kwargs)


def _same(x, y):
    """Equality that also checks types and tells -0.0 from 0.0 (repr round-trips both)."""
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(_same(x[k], y[k]) for k in x)
    if isinstance(x, (list, tuple)):
        return type(x) is type(y) and len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y))
    if isinstance(x, float):
        return type(y) is float and x == y and math.copysign(1, x) == math.copysign(1, y)
    return type(x) is type(y) and x == y
