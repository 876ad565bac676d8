"""Applying a row to a call: binding, emission of differing defaults, conditions, context, drops."""
import pytest

from msbridge.tables import load_tables
from msbridge.tables.translate import RowDoesNotApply, UnsupportedArgument, translate, translate_call

TABLES = load_tables()


def test_binding_follows_the_declared_signature():
    row = TABLES.row("lr.exponential_decay_lr")
    by_position = translate(row, "to_torch", (0.1, 0.9, 10, 2, 1))
    by_keyword = translate(row, "to_torch", (), dict(decay_epoch=1, step_per_epoch=2, total_step=10,
                                                      decay_rate=0.9, learning_rate=0.1))
    assert by_position.kwargs == by_keyword.kwargs == {"gamma": 0.9}
    assert by_position.optimizer_lr == 0.1
    with pytest.raises(TypeError, match="exponential_decay_lr: missing a required argument: 'decay_epoch'"):
        translate(row, "to_torch", (0.1, 0.9, 10, 2))
    with pytest.raises(TypeError, match="unexpected keyword argument 'gamma'"):
        translate(row, "to_torch", (0.1, 0.9, 10, 2, 1), {"gamma": 0.5})


def test_user_set_arguments_are_kept_even_when_equal_to_the_target_default():
    row = TABLES.row("optim.Adam")
    assert translate(row, "to_torch", (), {"eps": 1e-8}).kwargs == {"eps": 1e-8}
    assert translate(row, "to_torch", (), {}).kwargs == {}


def test_conditions_pick_the_row():
    stair = translate_call(TABLES, "mindspore.nn.exponential_decay_lr", "to_torch", (0.1, 0.9, 10, 2, 3, True))
    smooth = translate_call(TABLES, "mindspore.nn.exponential_decay_lr", "to_torch", (0.1, 0.9, 10, 2, 3, False))
    assert stair.api.endswith("StepLR") and stair.kwargs == {"step_size": 3, "gamma": 0.9}
    assert smooth.api.endswith("ExponentialLR") and smooth.kwargs == {"gamma": 0.9 ** (1 / 3)}


def test_missing_context_is_named():
    with pytest.raises(RowDoesNotApply, match="needs context: initial_lr .*steps_per_epoch"):
        translate(TABLES.row("lr.exponential_decay_lr"), "to_mindspore", (), {"gamma": 0.9})
    only_nn = translate_call(TABLES, "torch.optim.lr_scheduler.ExponentialLR", "to_mindspore", (), {"gamma": 0.9},
                             {"initial_lr": 0.1, "steps_per_epoch": 3, "total_steps": 9},
                             accept=lambda r: r.mindspore.name.startswith("mindspore.nn."))
    assert only_nn.api == "mindspore.nn.exponential_decay_lr"
    assert only_nn.kwargs == {"learning_rate": 0.1, "decay_rate": 0.9, "total_step": 9, "step_per_epoch": 3,
                              "decay_epoch": 1}


def test_direction_and_unsupported():
    with pytest.raises(RowDoesNotApply, match="does not translate to_mindspore"):
        translate(TABLES.row("lr.warmup_lr"), "to_mindspore", (), {"lr_lambda": None})
    with pytest.raises(UnsupportedArgument, match="last_epoch=3 cannot be translated"):
        translate(TABLES.row("lr.exponential_decay_lr"), "to_mindspore", (), {"gamma": 0.9, "last_epoch": 3},
                  {"initial_lr": 0.1, "steps_per_epoch": 3, "total_steps": 9})
    dropped = translate(TABLES.row("optim.Adam"), "to_torch", (), {"use_locking": True}).dropped
    assert dropped and dropped[0][0] == "use_locking"


def test_lambda_rows_build_callables():
    translation = translate(TABLES.row("lr.warmup_lr"), "to_torch", (0.5, 20, 2, 4))
    assert translation.optimizer_lr == 1.0
    lr_lambda = translation.kwargs["lr_lambda"]
    assert [lr_lambda(e) for e in (0, 2, 4, 9)] == [0.5 * min(4, e) / 4 for e in (0, 2, 4, 9)]


@pytest.mark.parametrize("row_id,source_kwargs", [
    ("lr.exponential_decay_lr", {"gamma": 1}),
    ("lr.exponential_decay_lr.stair", {"step_size": 2, "gamma": 1}),
    ("lr.ExponentialDecayLR.stair_per_step", {"step_size": 2, "gamma": 1}),
])
def test_an_int_gamma_torch_accepts_reaches_mindspore_as_a_float(row_id, source_kwargs):
    """torch takes StepLR(gamma=1); MindSpore rejects an int decay_rate, so the row converts it."""
    import mindspore.nn as ms_nn
    import torch

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = getattr(torch.optim.lr_scheduler, TABLES.row(row_id).torch.name.rsplit(".", 1)[1])
    scheduler(opt, **source_kwargs)  # real torch accepts the int
    context = {"initial_lr": 0.1, "steps_per_epoch": 1, "total_steps": 6}
    translated = translate(TABLES.row(row_id), "to_mindspore", (), source_kwargs, context)
    assert type(translated.kwargs["decay_rate"]) is float
    getattr(ms_nn, translated.api.rsplit(".", 1)[1])(**translated.kwargs)  # real MindSpore accepts it
