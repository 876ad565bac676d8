"""MindSpore 2.10's ``nn`` optimizers updating torch parameters (``msbridge.mindspore.nn.Momentum`` ...)."""
from msbridge.mindspore.nn.optim.ada_grad import Adagrad
from msbridge.mindspore.nn.optim.adam import Adam
from msbridge.mindspore.nn.optim.adam_weight_decay import AdamWeightDecay
from msbridge.mindspore.nn.optim.adamax import AdaMax
from msbridge.mindspore.nn.optim.lazyadam import LazyAdam
from msbridge.mindspore.nn.optim.momentum import Momentum
from msbridge.mindspore.nn.optim.optimizer import Optimizer
from msbridge.mindspore.nn.optim.rmsprop import RMSProp
from msbridge.mindspore.nn.optim.rprop import Rprop
from msbridge.mindspore.nn.optim.sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamWeightDecay", "AdaMax", "LazyAdam", "Momentum", "Optimizer", "RMSProp", "Rprop",
           "SGD"]
