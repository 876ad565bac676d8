"""``mindspore.communication`` on ``torch.distributed`` (see ``management``)."""
from msbridge.mindspore.communication import management
from msbridge.mindspore.communication.management import (
    HCCL_WORLD_COMM_GROUP, MCCL_WORLD_COMM_GROUP, NCCL_WORLD_COMM_GROUP, GlobalComm, get_group_size,
    get_local_rank, get_local_rank_size, get_rank, init, release)
from msbridge.mindspore.communication.reduce import reduce_gradients

__all__ = ["management", "GlobalComm", "init", "release", "get_rank", "get_group_size", "get_local_rank",
           "get_local_rank_size", "HCCL_WORLD_COMM_GROUP", "NCCL_WORLD_COMM_GROUP", "MCCL_WORLD_COMM_GROUP",
           "reduce_gradients"]
