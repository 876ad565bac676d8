"""Random hyper-parameters through the list-function rows (both ways) and the optimizer rows:
the row the tables pick (conditions included) must keep its exactness claim on real MindSpore
and real torch."""
import mindspore  # noqa: F401  (imported first: it raises the recursion limit, which hypothesis notices)
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from msbridge.bridge.verify import verify_example
from msbridge.tables import load_tables
from msbridge.tables.records import Example
from msbridge.tables.translate import RowDoesNotApply, translate_call

TABLES = load_tables()
SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])

rate = st.floats(0.05, 0.99).map(lambda x: round(x, 4))
lr = st.floats(0.001, 1.0).map(lambda x: round(x, 5))
small = st.integers(1, 5)


@st.composite
def decay_call(draw):
    return {"learning_rate": draw(lr), "decay_rate": draw(rate), "total_step": draw(st.integers(1, 40)),
            "step_per_epoch": draw(small), "decay_epoch": draw(small), "is_stair": draw(st.booleans())}


@st.composite
def polynomial_call(draw):
    learning_rate = draw(lr)
    return {"learning_rate": learning_rate, "end_learning_rate": draw(st.sampled_from([0.0, learning_rate / 10])),
            "total_step": draw(st.integers(1, 40)), "step_per_epoch": draw(small), "decay_epoch": draw(small),
            "power": draw(st.floats(0.1, 3.0).map(lambda x: round(x, 3))), "update_decay_epoch": draw(st.booleans())}


@st.composite
def cosine_call(draw):
    steps, epochs = draw(small), draw(st.integers(1, 8))
    max_lr = draw(lr)
    return {"min_lr": draw(st.sampled_from([0.0, max_lr / 50])), "max_lr": max_lr,
            "total_step": draw(st.integers(1, steps * (epochs + 1))), "step_per_epoch": steps, "decay_epoch": epochs}


@st.composite
def warmup_call(draw):
    return {"learning_rate": draw(lr), "total_step": draw(st.integers(1, 40)), "step_per_epoch": draw(small),
            "warmup_epoch": draw(small)}


@st.composite
def piecewise_call(draw):
    cuts = sorted(draw(st.lists(st.integers(1, 30), min_size=1, max_size=5)))
    return {"milestone": cuts, "learning_rates": [draw(lr) for _ in cuts]}


CALLS = {
    "exponential_decay_lr": decay_call(), "natural_exp_decay_lr": decay_call(), "inverse_decay_lr": decay_call(),
    "polynomial_decay_lr": polynomial_call(), "cosine_decay_lr": cosine_call(), "warmup_lr": warmup_call(),
    "piecewise_constant_lr": piecewise_call(),
}


def check(source_api, direction, kwargs, context):
    try:
        row = translate_call(TABLES, source_api, direction, (), kwargs, context,
                             accept=lambda r: "per_step_lrs" not in r.context).row
    except RowDoesNotApply:
        pytest.fail(f"no row for {source_api}({kwargs})")
    source = "mindspore" if direction == "to_torch" else "torch"
    outcome = verify_example(row, Example(source, tuple(kwargs.items()), tuple(context.items())))
    assert outcome.styles_agree
    assert outcome.agrees, (row.id, kwargs, outcome.max_difference)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_mindspore_list_functions_to_torch(name):
    @SETTINGS
    @given(CALLS[name])
    def run(kwargs):
        context = {"steps_per_epoch": kwargs.get("step_per_epoch", 1), "total_steps": kwargs.get("total_step", 1)}
        check(f"mindspore.nn.{name}", "to_torch", kwargs, context)
    run()


TORCH_CALLS = {
    "StepLR": st.fixed_dictionaries({"step_size": small, "gamma": rate}),
    "ExponentialLR": st.fixed_dictionaries({"gamma": rate}),
    "MultiStepLR": st.fixed_dictionaries({"milestones": st.lists(st.integers(1, 6), min_size=1, max_size=4),
                                          "gamma": rate}),
    "ConstantLR": st.fixed_dictionaries({"factor": rate, "total_iters": small}),
    "PolynomialLR": st.fixed_dictionaries({"total_iters": small, "power": st.floats(0.1, 3.0)}),
    "CosineAnnealingLR": st.fixed_dictionaries({"T_max": st.integers(7, 12), "eta_min": st.sampled_from([0.0, 0.001])}),
}


@pytest.mark.parametrize("name", sorted(TORCH_CALLS))
def test_torch_schedulers_to_mindspore_list_functions(name):
    @SETTINGS
    @given(TORCH_CALLS[name], lr, small)
    def run(kwargs, initial_lr, steps_per_epoch):
        context = {"initial_lr": initial_lr, "steps_per_epoch": steps_per_epoch, "total_steps": 7 * steps_per_epoch}
        check(f"torch.optim.lr_scheduler.{name}", "to_mindspore", kwargs, context)
    run()


OPTIMIZER_CALLS = {
    "SGD": st.fixed_dictionaries({"learning_rate": lr, "momentum": st.sampled_from([0.0, 0.5, 0.9]),
                                  "weight_decay": st.sampled_from([0.0, 0.01])}),
    "Adam": st.fixed_dictionaries({"learning_rate": lr.map(lambda x: x / 10), "beta1": st.sampled_from([0.8, 0.9]),
                                   "beta2": st.sampled_from([0.99, 0.999]), "use_amsgrad": st.booleans()}),
    "Adagrad": st.fixed_dictionaries({"accum": st.sampled_from([0.1, 0.5]), "learning_rate": lr}),
    "AdaMax": st.fixed_dictionaries({"learning_rate": lr.map(lambda x: x / 10), "beta1": st.sampled_from([0.8, 0.9])}),
    "Rprop": st.fixed_dictionaries({"learning_rate": lr, "etas": st.sampled_from([(0.5, 1.2), (0.3, 1.5)])}),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZER_CALLS))
def test_optimizer_rows_with_random_hyper_parameters(name):
    @settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(OPTIMIZER_CALLS[name])
    def run(kwargs):
        check(f"mindspore.nn.{name}", "to_torch", kwargs, {})
    run()
