"""torch.utils-shaped API on MindSpore: ``data`` (datasets, samplers, loaders)."""
from msbridge.torch.utils import data

__all__ = ["data"]
