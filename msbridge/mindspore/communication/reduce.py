"""Gradient all-reduce for data-parallel training: what MindSpore's ``DistributedGradReducer`` does, which
``Model`` and ``TrainOneStepCell`` insert when ``set_auto_parallel_context(parallel_mode=DATA_PARALLEL)``.

torch's ``DistributedDataParallel`` averages gradients the same way (all-reduce, then divide by the
world size); MindSpore divides only with ``gradients_mean=True`` (its default, ``False``, sums them).
"""


def data_parallel():
    """(True, mean) when the context asks for data parallelism and more than one process runs."""
    from msbridge.mindspore.communication.management import get_group_size
    from msbridge.mindspore.context import get_auto_parallel_context
    mode = get_auto_parallel_context("parallel_mode")
    if mode not in ("data_parallel", "hybrid_parallel") or get_group_size() == 1:
        return False, False
    return True, bool(get_auto_parallel_context("gradients_mean"))


def reduce_gradients(grads, mean=True):
    """All-reduce each gradient over the world group (in place) and return them; divided by the world size when
    ``mean``."""
    import torch.distributed as dist
    size = dist.get_world_size()
    for grad in grads:
        if grad is not None:
            dist.all_reduce(grad)
            if mean:
                grad.div_(size)
    return grads
