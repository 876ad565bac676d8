"""The plot command's spelled-out API names stay equal to what the packages export."""
import mindspore.nn as real_nn
import torch

from msbridge.mindspore.nn import dynamic_lr, learning_rate_schedule
from msbridge.plot import apis


def test_mindspore_names_match_msbridge_and_real_mindspore():
    assert set(apis._MS_FUNCTIONS) == set(dynamic_lr.__all__)
    assert set(apis._MS_SCHEDULES) == set(learning_rate_schedule.__all__) - {"LearningRateSchedule"}
    assert all(hasattr(real_nn, name) for name in apis._MS_FUNCTIONS + apis._MS_SCHEDULES)


def test_torch_scheduler_names_exist_in_torch():
    assert all(hasattr(torch.optim.lr_scheduler, name) for name in apis._TORCH_SCHEDULERS)
