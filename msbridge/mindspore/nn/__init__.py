"""MindSpore ``nn``-shaped API computing on torch tensors."""
from msbridge.mindspore.nn.dynamic_lr import (
    cosine_decay_lr,
    exponential_decay_lr,
    inverse_decay_lr,
    natural_exp_decay_lr,
    piecewise_constant_lr,
    polynomial_decay_lr,
    warmup_lr,
)
from msbridge.mindspore.nn.learning_rate_schedule import (
    CosineDecayLR,
    ExponentialDecayLR,
    InverseDecayLR,
    LearningRateSchedule,
    NaturalExpDecayLR,
    PolynomialDecayLR,
    WarmUpLR,
)
from msbridge.mindspore.nn.optim import (  # noqa: E402,F401
    SGD, AdaMax, Adagrad, Adam, AdamWeightDecay, LazyAdam, Momentum, Optimizer, RMSProp, Rprop)
from msbridge.mindspore.nn.layers import (  # noqa: E402,F401
    AvgPool2d, BatchNorm2d, Conv2d, Dense, GELU, LayerNorm, MaxPool2d, Pad, SequentialCell, get_activation)
from msbridge.mindspore.nn.wrap import (  # noqa: E402,F401
    DistributedGradReducer, TrainOneStepCell, WithEvalCell, WithLossCell)
from msbridge.mindspore.train.metrics import (  # noqa: E402,F401  (mindspore.nn spells the metrics too)
    Accuracy, Loss, Metric, Top1CategoricalAccuracy, Top5CategoricalAccuracy, TopKCategoricalAccuracy)
from msbridge.mindspore.nn.loss import LossBase  # noqa: E402,F401
