"""The transform-expression evaluator: Python's own arithmetic, a whitelist, never eval."""
import math

import pytest
from hypothesis import given, settings, strategies as st

from msbridge.tables.expr import ExprError, evaluate, free_names, parse, substitute


def test_contract_examples():
    assert evaluate("1 - momentum", {"momentum": 0.9}) == 1 - 0.9
    assert substitute("1 - momentum", {"momentum": "cfg.m"}) == "1 - cfg.m"
    assert substitute("1 - momentum", {"momentum": "a + b"}) == "1 - (a + b)"


@settings(max_examples=200, deadline=None)
@given(st.floats(0.01, 1.0), st.integers(1, 50), st.integers(0, 400))
def test_arithmetic_is_pythons_bit_for_bit(rate, decay, step):
    # the same formula written in Python: bit-identical, because the evaluator uses Python's operators
    names = {"decay_rate": rate, "decay_epoch": decay, "epoch": step}
    assert evaluate("decay_rate ** (epoch / decay_epoch)", names) == rate ** (step / decay)
    assert evaluate("decay_rate ** floor(epoch / decay_epoch)", names) == rate ** math.floor(step / decay)
    assert evaluate("0.1 / (1 + decay_rate * epoch / decay_epoch)", names) == 0.1 / (1 + rate * step / decay)


def test_comprehension_lambda_and_helpers():
    names = {"milestones": [3, 1], "steps_per_epoch": 10, "total_steps": 50}
    assert evaluate("[m * steps_per_epoch for m in sorted(milestones)] + [total_steps]", names) == [10, 30, 50]
    f = evaluate("lambda epoch: lr / (1 + epoch)", {"lr": 0.5})
    assert f(1) == 0.25 and f(3) == 0.125
    assert evaluate("betas[1]", {"betas": (0.9, 0.99)}) == 0.99
    assert evaluate("(beta1, beta2)", {"beta1": 0.8, "beta2": 0.9}) == (0.8, 0.9)
    assert evaluate("x if flag else -x", {"x": 2, "flag": False}) == -2


def test_multistep_lrs_reproduces_torch_chaining():
    lr, gamma = 0.1, 0.3
    assert evaluate("multistep_lrs(lr, g, [2, 5, 5])", {"lr": lr, "g": gamma}) == [lr, lr * gamma, (lr * gamma) * gamma ** 2]


def test_free_names_skip_bound_and_function_names():
    assert free_names("[m * s for m in ms]") == {"s", "ms"}
    assert free_names("lambda epoch: min(epoch, w) / w") == {"w"}


def test_substitute_keeps_bound_names_and_layout():
    assert substitute("lambda epoch: lr * epoch", {"lr": "cfg.lr", "epoch": "X"}) == "lambda epoch: cfg.lr * epoch"
    assert substitute("decay_rate ** (1 / decay_epoch)", {"decay_rate": "-0.5", "decay_epoch": "n"}) == \
        "(-0.5) ** (1 / n)"
    assert substitute("(beta1, beta2)", {"beta1": "b[0]", "beta2": "f(x)"}) == "(b[0], f(x))"


@pytest.mark.parametrize("text", [
    "__import__('os')", "open('x')", "x.__class__", "(lambda: 1)()", "{'a': 1}", "[x for x in y if x]",
    "a.b", "getattr(a, 'b')", "lambda *a: 1", "f(x=1)", "x := 1", "yield x",
])
def test_forbidden_constructs(text):
    with pytest.raises(ExprError):
        evaluate(text, {"a": 1, "x": 1, "y": [1]})


@pytest.mark.parametrize("text", ["10 ** 10 ** 10", "[0] * 10 ** 9"])
def test_huge_results_are_refused(text):
    with pytest.raises(ExprError, match="too large"):
        evaluate(text)


def test_errors_name_the_expression():
    with pytest.raises(ExprError, match="unknown name 'gama'"):
        evaluate("1 - gama", {"gamma": 0.1})
    with pytest.raises(ExprError, match="cannot parse"):
        parse("1 -")
    with pytest.raises(ExprError, match="ZeroDivisionError"):
        evaluate("1 / x", {"x": 0})


def test_names_are_bound_only_inside_their_own_scope():
    assert free_names("[epoch for epoch in steps] + [epoch]") == {"steps", "epoch"}
    assert substitute("[epoch for epoch in steps] + [epoch]", {"epoch": "E", "steps": "S"}) == \
        "[epoch for epoch in S] + [E]"
    assert evaluate("[epoch for epoch in steps] + [epoch]", {"steps": [1, 2], "epoch": 9}) == [1, 2, 9]
    assert free_names("(lambda e: e * lr) if flag else e") == {"lr", "flag", "e"}


# ---- bounds (issue 11, item 3): every evaluation ends quickly with a clear ExprError ----------

@pytest.mark.parametrize("text,message", [
    ("sum(range(10**15))", "at most"),
    ("((10**4096)**4096)**4096", "too large"),
    ("[x for x in range(10**9)]", "at most"),
    ("'%*d' % (10**9, 1)", "not allowed"),
    ("list(range(10**12))", "at most"),
    ("geometric(1.0, 0.5, 10**9)", "at most"),
    ("multistep_lrs(0.1, 0.5, list(range(10**5)))", "more than"),
    ("[[0] * 10**6 for i in range(1000)]", "more than"),
    ("(10**4000) * (10**4000) * (10**4000) * (10**4000) * (10**4000) * (10**4000)", "too large"),
    ("[1] * 10**6 + [2] * 10**6 + [3] * 10**6 + [4] * 10**6 + [5] * 10**6", "more than"),
    ("[" * 600 + "]" * 600, "cannot parse|nested"),
    ("-" * 600 + "1", "nested too deeply"),
    ("1 + " * 30_000 + "1", "too long"),
])
def test_bounds_every_evaluation_ends_with_a_clear_error(text, message):
    import resource
    import time

    start, rss = time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ExprError, match=message):
        evaluate(text)
    assert time.process_time() - start < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss < 300 * 1024   # KiB: under 300 MB more


def test_bounds_hold_inside_lambdas_and_leave_ordinary_work_alone():
    slow = evaluate("lambda epoch: sum(range(10 ** 15)) + epoch")
    with pytest.raises(ExprError, match="at most"):
        slow(1)
    assert evaluate("sum(range(1000))") == sum(range(1000))
    assert evaluate("list(range(1, n + 1))", {"n": 200_000}) == list(range(1, 200_001))
    assert evaluate("2 ** 4096") == 2 ** 4096 and evaluate("10 ** 20") == 10 ** 20


def test_bounds_constant_parts_of_a_transform_are_checked():
    from msbridge.tables.expr import check_constant_parts

    for text in ("sum(range(10**15)) * lr", "lambda epoch: lr * sum(range(10**15))", "[m + 10**10**10 for m in ms]"):
        with pytest.raises(ExprError):
            check_constant_parts(text)
    for text in ("lr * 2", "[m * steps for m in ms]", "lambda epoch: 0.9 ** epoch", "list(range(1, len(x) + 1))"):
        check_constant_parts(text)
