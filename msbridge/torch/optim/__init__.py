"""torch.optim-shaped API on MindSpore optimizers."""
from msbridge.torch.optim import lr_scheduler
from msbridge.torch.optim.adam import Adam
from msbridge.torch.optim.adamw import AdamW
from msbridge.torch.optim.optimizer import Optimizer
from msbridge.torch.optim.sgd import SGD

__all__ = ["lr_scheduler", "Adam", "AdamW", "Optimizer", "SGD"]
