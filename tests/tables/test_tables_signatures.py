"""Every parameter a table declares is checked against the real torch / MindSpore signature,
and the LR family and optimizers are covered both ways."""
import inspect

import pytest

from msbridge.bridge.real_api import real_params, resolve
from msbridge.tables import Param, load_tables
from msbridge.tables.translate import same_value

TABLES = load_tables()
# the LR and optimizer tables (the model-definition tables are checked by tests/layers and declare some APIs,
# such as builtins without a signature, that inspect cannot check)
CHECKED_FILES = ("mapping_tables/lr_schedules.toml", "mapping_tables/lr_experimental.toml",
                 "mapping_tables/optimizers.toml")
REFS = sorted({(ref.name, ref) for row in TABLES.rows if row.file in CHECKED_FILES
               for ref in (row.mindspore, row.torch) if ref}, key=lambda item: item[0])


@pytest.mark.parametrize("name,ref", REFS, ids=[f"{name}@{i}" for i, (name, _) in enumerate(REFS)])
def test_declared_params_match_the_real_signature(name, ref):
    real = real_params(resolve(name))
    assert [p.name for p in ref.params] == [p.name for p in real], name
    for declared, actual in zip(ref.params, real):
        assert declared.var_keyword == (actual.kind is inspect.Parameter.VAR_KEYWORD), declared.name
        assert declared.keyword_only == (actual.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD)), \
            declared.name
        if declared.var_keyword:
            continue
        if actual.default is inspect.Parameter.empty:
            assert declared.default is Param.REQUIRED, declared.name
        else:
            assert same_value(declared.default, actual.default) and type(declared.default) is type(actual.default), \
                f"{name}.{declared.name}: table {declared.default!r}, real {actual.default!r}"


def _mindspore_side():
    return {row.mindspore.name for row in TABLES.rows}


def _torch_side():
    return {row.torch.name for row in TABLES.rows if row.torch}


def test_every_mindspore_nn_lr_api_has_a_row():
    import mindspore.nn.dynamic_lr as dynamic_lr
    import mindspore.nn.learning_rate_schedule as schedules

    functions = {f"mindspore.nn.{name}" for name in dynamic_lr.__all__}
    classes = {f"mindspore.nn.{name}" for name, obj in vars(schedules).items()
               if inspect.isclass(obj) and issubclass(obj, schedules.LearningRateSchedule)
               and obj is not schedules.LearningRateSchedule}
    assert len(functions) == 7 and len(classes) == 6
    assert functions | classes <= _mindspore_side()


def test_every_torch_scheduler_has_a_mindspore_row_both_ways():
    import torch.optim.lr_scheduler as torch_lr
    import mindspore.experimental.optim.lr_scheduler as ms_lr

    base = {"LRScheduler"}  # the abstract base computes nothing
    torch_names = {f"torch.optim.lr_scheduler.{n}" for n in set(torch_lr.__all__) - base}
    assert torch_names <= _torch_side()
    experimental = {f"mindspore.experimental.optim.lr_scheduler.{n}" for n in set(ms_lr.__all__) - base}
    assert experimental <= _mindspore_side()
    for name in torch_names:
        directions = {d for row in TABLES.rows_for(name) for d in row.directions}
        assert "to_mindspore" in directions, name


def test_three_way_exponential_row():
    family = [row for row in TABLES.rows if row.family == "exponential"]
    sides = {row.mindspore.name for row in family} | {row.torch.name for row in family}
    assert {"torch.optim.lr_scheduler.ExponentialLR", "mindspore.nn.exponential_decay_lr",
            "mindspore.nn.ExponentialDecayLR"} <= sides
    assert {"steps_per_epoch"} <= {c for row in family for c in row.context}


def test_the_nine_optimizers_have_rows():
    names = ["SGD", "Momentum", "Adam", "AdamWeightDecay", "Adagrad", "RMSProp", "Rprop", "AdaMax", "LazyAdam"]
    for name in names:
        rows = TABLES.rows_for(f"mindspore.nn.{name}")
        assert rows and rows[0].torch.name.startswith("torch.optim."), name
