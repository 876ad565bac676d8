"""torch.backends flags on MindSpore: ``cudnn``, ``cuda``, ``mps``."""
from msbridge.torch.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
