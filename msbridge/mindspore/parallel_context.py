"""``set_auto_parallel_context`` / ``get_auto_parallel_context`` / ``reset_auto_parallel_context`` and
``ParallelMode`` (MindSpore 2.10) for converted scripts on torch.

Only data parallelism has a torch meaning: with ``parallel_mode=DATA_PARALLEL`` (or ``HYBRID_PARALLEL``)
msbridge's ``Model`` and ``nn.TrainOneStepCell`` all-reduce the gradients over the process group that
``mindspore.communication.init()`` joined (torch.distributed), dividing by the world size when
``gradients_mean=True`` -- what torch's ``DistributedDataParallel`` does. The semi-/auto-parallel modes
(operator sharding) have no torch counterpart here and raise ``NotImplementedError``. The other keys are
validated by name and remembered (``device_num``, ``parameter_broadcast``, fusion and pipeline knobs).
"""
_KEYS = (
    'all_reduce_fusion_config', 'auto_parallel_new_interface', 'auto_parallel_search_mode', 'auto_pipeline',
    'comm_fusion', 'communi_parallel_mode', 'dataset_strategy', 'device_num', 'dump_device_local_norm',
    'dump_local_norm', 'dump_local_norm_path', 'enable_alltoall', 'enable_parallel_optimizer',
    'force_fp32_communication', 'full_batch', 'global_rank', 'grad_accumulation_step', 'gradient_fp32_sync',
    'gradients_mean', 'group_ckpt_save_file', 'init_param_in_compile', 'loss_repeated_mean',
    'optimizer_weight_shard_aggregated_save', 'optimizer_weight_shard_size', 'parallel_mode',
    'parallel_optimizer_config', 'parameter_broadcast', 'pipeline_config', 'pipeline_result_broadcast',
    'pipeline_segments', 'pipeline_stages', 'search_mode', 'sharding_propagation', 'strategy_ckpt_config',
    'strategy_ckpt_load_file', 'strategy_ckpt_save_file')
_DEFAULTS = {'parallel_mode': 'stand_alone', 'gradients_mean': False, 'device_num': 1, 'global_rank': 0,
             'parameter_broadcast': False, 'full_batch': False}


class ParallelMode:
    """MindSpore's parallel-mode names (plain strings)."""
    STAND_ALONE = "stand_alone"
    DATA_PARALLEL = "data_parallel"
    HYBRID_PARALLEL = "hybrid_parallel"
    SEMI_AUTO_PARALLEL = "semi_auto_parallel"
    AUTO_PARALLEL = "auto_parallel"
    MODE_LIST = [STAND_ALONE, DATA_PARALLEL, HYBRID_PARALLEL, SEMI_AUTO_PARALLEL, AUTO_PARALLEL]


_STATE = dict(_DEFAULTS)


def set_auto_parallel_context(**kwargs):
    for key, value in kwargs.items():
        if key not in _KEYS:
            raise ValueError(f"Set context keyword {key} is not recognized!")
        if key == 'parallel_mode':
            if value not in ParallelMode.MODE_LIST:
                raise ValueError("The context configuration parameter 'parallel_mode' only support 'stand_alone', "
                                 "'data_parallel', 'hybrid_parallel', 'semi_auto_parallel' and 'auto_parallel', "
                                 f"but got the value : {value}.")
            if value in (ParallelMode.SEMI_AUTO_PARALLEL, ParallelMode.AUTO_PARALLEL):
                raise NotImplementedError(f"msbridge: parallel_mode={value!r} (operator sharding) has no torch "
                                          f"counterpart here; data parallelism (DATA_PARALLEL) is supported.")
        if key == 'gradients_mean' and not isinstance(value, bool):
            raise TypeError(f"The type of gradients_mean must be bool, but got {type(value)}.")
        _STATE[key] = value


def get_auto_parallel_context(attr_key):
    if attr_key not in _KEYS:
        raise ValueError(f"Get context keyword {attr_key} is not recognized!")
    return _STATE.get(attr_key)


def reset_auto_parallel_context():
    _STATE.clear()
    _STATE.update(_DEFAULTS)
