"""torch.backends flags on MindSpore: ``cudnn``."""
from msbridge.torch.backends import cudnn

__all__ = ["cudnn"]
