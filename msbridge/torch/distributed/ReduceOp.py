"""torch.distributed.ReduceOp's members (``dist.ReduceOp.SUM``).

A module, not a class, so that the converter can import a member by name
(``from msbridge.torch.distributed.ReduceOp import SUM``) as it imports every twin.
"""
SUM = "sum"
AVG = "avg"
MAX = "max"
MIN = "min"
PRODUCT = "prod"
