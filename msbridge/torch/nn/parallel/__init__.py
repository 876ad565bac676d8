"""torch.nn.parallel's ``DistributedDataParallel`` on MindSpore's communication."""
from msbridge.torch.nn.parallel.distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
