"""torch-shaped API driving MindSpore: ``import msbridge.torch as torch``."""
from msbridge.torch import nn, optim

__all__ = ["nn", "optim"]
