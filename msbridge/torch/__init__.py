"""torch-shaped API driving MindSpore: ``import msbridge.torch as torch``."""
from msbridge.torch import optim

__all__ = ["optim"]
