"""``mindspore.train``-shaped driver on torch: ``Model``, callbacks and metrics (MindSpore 2.10 protocol)."""
from msbridge.mindspore.train.callback import Callback, RunContext
from msbridge.mindspore.train.checkpoint import CheckpointConfig, ModelCheckpoint
from msbridge.mindspore.train.loss_scale_manager import (
    DynamicLossScaleManager, FixedLossScaleManager, LossScaleManager)
from msbridge.mindspore.train.metrics import (
    Accuracy, Loss, Metric, Top1CategoricalAccuracy, Top5CategoricalAccuracy, TopKCategoricalAccuracy,
    get_metric_fn, get_metrics)
from msbridge.mindspore.train.model import Model
from msbridge.mindspore.train.monitors import LossMonitor, TimeMonitor

__all__ = ["Model", "Callback", "RunContext", "LossMonitor", "TimeMonitor", "ModelCheckpoint", "CheckpointConfig",
           "Metric", "Accuracy", "Loss", "TopKCategoricalAccuracy", "Top1CategoricalAccuracy",
           "Top5CategoricalAccuracy", "get_metric_fn", "get_metrics", "LossScaleManager", "FixedLossScaleManager",
           "DynamicLossScaleManager"]
