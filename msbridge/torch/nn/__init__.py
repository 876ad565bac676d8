"""torch.nn pieces msbridge imitates on MindSpore: ``parallel.DistributedDataParallel``."""
from msbridge.torch.nn import parallel

__all__ = ["parallel"]
