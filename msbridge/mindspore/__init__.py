"""MindSpore-shaped API computing on torch: ``import msbridge.mindspore as mindspore``."""
from msbridge.mindspore import nn

__all__ = ["nn"]
