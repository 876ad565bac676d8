"""torch.nn.parallel's ``DistributedDataParallel`` (MindSpore's communication) and ``DataParallel``/``data_parallel``
(one device per MindSpore process)."""
from msbridge.torch.nn.parallel.data_parallel import DataParallel, data_parallel
from msbridge.torch.nn.parallel.distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
