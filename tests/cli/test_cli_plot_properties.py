"""Property: for random arguments, every counterpart ``msbridge plot`` draws follows the source within the
claim of the mapping-table row it came from (``msbridge.bridge.verify.close``), both frameworks real."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msbridge import cli
from msbridge.bridge.verify import close, max_relative_difference
from msbridge.plot import curves
from msbridge.plot.expression import parse_call

SETTINGS = settings(deadline=None, max_examples=20, derandomize=True,  # the same examples in every CI run
                    suppress_health_check=[HealthCheck.too_slow])
lrs = st.floats(1e-4, 1.0)
rates = st.floats(0.05, 0.99)
small = st.integers(1, 12)


def assert_counterparts_follow(expression, *options):
    args = cli.build_parser().parse_args(["plot", expression, *options])
    source, others, _ = curves.compute(parse_call(expression), args)
    for other in others:
        assert len(other.values) == len(source.values)
        assert close(other.row, source.values, other.values), (
            expression, other.row.id, other.row.rtol, max_relative_difference(source.values, other.values)
        )
    return others  # the counterparts drawn


@SETTINGS
@given(
    name=st.sampled_from(["exponential_decay_lr", "natural_exp_decay_lr", "inverse_decay_lr"]),
    lr=lrs, rate=rates, total=st.integers(1, 120), spe=small, decay=small, stair=st.booleans(),
)
def test_decay_functions(name, lr, rate, total, spe, decay, stair):
    assert assert_counterparts_follow(f"nn.{name}({lr!r}, {rate!r}, {total}, {spe}, {decay}, is_stair={stair})")  # a row always applies


@SETTINGS
@given(low=st.floats(0.0, 0.01), high=st.floats(0.02, 1.0), total=st.integers(1, 120), spe=small, decay=small)
def test_cosine_function(low, high, total, spe, decay):
    assert_counterparts_follow(f"nn.cosine_decay_lr({low!r}, {high!r}, {total}, {spe}, {decay})")


@SETTINGS
@given(
    lr=lrs, end=st.floats(0.0, 1e-4), total=st.integers(1, 120), spe=small, decay=small,
    power=st.floats(0.1, 3.0), update=st.booleans(),
)
def test_polynomial_function(lr, end, total, spe, decay, power, update):
    assert assert_counterparts_follow(f"nn.polynomial_decay_lr({lr!r}, {end!r}, {total}, {spe}, {decay}, {power!r}, {update})")  # a row always applies


@SETTINGS
@given(
    name=st.sampled_from(["ExponentialDecayLR", "NaturalExpDecayLR", "InverseDecayLR"]),
    lr=lrs, rate=rates, decay=small, stair=st.booleans(), steps=st.integers(1, 60),
)
def test_schedule_cells(name, lr, rate, decay, stair, steps):
    assert assert_counterparts_follow(f"nn.{name}({lr!r}, {rate!r}, {decay}, {stair})", "--steps", str(steps))  # a row always applies


@SETTINGS
@given(
    expression=st.one_of(
        st.builds("lr_scheduler.StepLR(step_size={}, gamma={!r})".format, small, rates),
        st.builds("lr_scheduler.ExponentialLR(gamma={!r})".format, rates),
        st.builds("lr_scheduler.MultiStepLR(milestones={}, gamma={!r})".format,
                  st.lists(small, min_size=1, max_size=4).map(sorted), rates),
        st.builds("lr_scheduler.PolynomialLR(total_iters={}, power={!r})".format, small, st.floats(0.5, 3.0)),
    ),
    lr=lrs, epochs=st.integers(1, 30), spe=st.integers(1, 4),
)
def test_torch_schedulers(expression, lr, epochs, spe):
    assert assert_counterparts_follow(expression, "--lr", repr(lr), "--epochs", str(epochs), "--steps-per-epoch", str(spe))  # a row always applies
