"""torch.optim-shaped API on MindSpore optimizers."""
from msbridge.torch.optim import lr_scheduler

__all__ = ["lr_scheduler"]
