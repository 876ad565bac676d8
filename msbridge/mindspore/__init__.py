"""MindSpore-shaped API computing on torch: ``import msbridge.mindspore as mindspore``."""
from msbridge.mindspore import amp, communication, context, dataset, nn, train
from msbridge.mindspore.autograd import value_and_grad
from msbridge.mindspore.context import GRAPH_MODE, PYNATIVE_MODE, get_context, set_context, set_device, set_seed
from msbridge.mindspore.jit_decorator import jit
from msbridge.mindspore.parameter_tuple import ParameterTuple
from msbridge.mindspore.parallel_context import (
    ParallelMode, get_auto_parallel_context, reset_auto_parallel_context, set_auto_parallel_context)
from msbridge.mindspore.train import (
    Accuracy, Callback, CheckpointConfig, DynamicLossScaleManager, FixedLossScaleManager, Loss, LossMonitor, Model,
    ModelCheckpoint, RunContext, TimeMonitor)

__all__ = ["nn", "train", "dataset", "context", "set_context", "get_context", "set_device", "set_seed",
           "GRAPH_MODE", "PYNATIVE_MODE", "Model", "Callback", "RunContext", "LossMonitor", "TimeMonitor",
           "ModelCheckpoint", "CheckpointConfig", "Accuracy", "Loss", "FixedLossScaleManager",
           "DynamicLossScaleManager", "amp", "communication", "jit", "ParallelMode", "set_auto_parallel_context",
           "get_auto_parallel_context", "reset_auto_parallel_context", "ParameterTuple", "value_and_grad"]
