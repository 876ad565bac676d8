"""``mindspore.context`` / ``set_context`` / ``set_seed`` for converted scripts on torch.

torch has no counterpart for most of MindSpore's context, so the calls are
validated like MindSpore 2.10 validates them, remembered for ``get_context``,
and otherwise do nothing:

* ``mode``: torch always runs eagerly (MindSpore's ``PYNATIVE_MODE``).
  ``GRAPH_MODE`` is accepted but not applied; ``torch.compile`` is the nearest
  equivalent and is left to the user (it changes no results, only speed).
* ``device_target``/``device_id``/``set_device``: msbridge computes on
  wherever the torch tensors are; move modules with ``.to(device)``.
* other keys (graph dumps, memory, Ascend options) are accepted and ignored.

``set_seed`` does what MindSpore's does for numpy (``np.random.seed``), seeds
torch's generator (MindSpore's op seed has no bit-compatible torch
counterpart: random tensors differ between the frameworks) and our dataset
shuffles.
"""
import numpy as np

from msbridge.mindspore.parallel_context import (  # noqa: F401  (mindspore.context spells them too)
    ParallelMode, get_auto_parallel_context, reset_auto_parallel_context, set_auto_parallel_context)

GRAPH_MODE = 0
PYNATIVE_MODE = 1
_DEVICES = ['CPU', 'GPU', 'Ascend', 'Davinci']
_KEYS = {
    'mode', 'device_target', 'device_id', 'save_graphs', 'save_graphs_path', 'max_call_depth', 'jit_config',
    'jit_level', 'jit_syntax_level', 'debug_level', 'pynative_synchronize', 'max_device_memory',
    'variable_memory_max_size', 'mempool_block_size', 'enable_graph_kernel', 'graph_kernel_flags',
    'enable_reduce_precision', 'runtime_num_threads', 'inter_op_parallel_num', 'memory_optimize_level',
    'enable_compile_cache', 'compile_cache_path', 'deterministic', 'ascend_config', 'gpu_config',
    'print_file_path', 'env_config_path', 'precompile_only', 'reserve_class_name_in_scope', 'check_bprop',
    'enable_profiling', 'profiling_options', 'support_binary', 'op_timeout', 'disable_format_transform',
    'aoe_tune_mode', 'aoe_config', 'exec_order', 'save_dump_path', 'enable_dump', 'enable_auto_mixed_precision',
}
_STATE = {'mode': PYNATIVE_MODE, 'device_target': 'CPU', 'device_id': 0}


def set_context(**kwargs):
    """Validate and remember; see the module note for what each key means on torch."""
    for key, value in kwargs.items():
        if key not in _KEYS:
            raise ValueError(f"For 'context.set_context', the keyword argument {key} is not recognized! For "
                             f"detailed usage of 'set_context', please refer to the Mindspore official website.")
        if key == 'mode' and value not in (GRAPH_MODE, PYNATIVE_MODE):
            raise ValueError(f"For 'context.set_context', the argument 'mode' should be context.GRAPH_MODE (0) "
                             f"or context.PYNATIVE_MODE (1), but got {value}.")
        if key == 'device_target' and value not in _DEVICES:
            raise ValueError(f"For 'context.set_context', the argument 'device_target' must be one of "
                             f"{_DEVICES}, but got {value}.")
        _STATE[key] = value


def get_context(attr_key):
    if attr_key not in _KEYS:
        raise ValueError(f"For 'context.get_context', the argument {attr_key} is not recognized! For detailed "
                         f"usage of 'get_context', please refer to the Mindspore official website.")
    return _STATE.get(attr_key)


def set_device(device_target, device_id=None):
    """Remembered only: msbridge runs where the torch tensors are."""
    set_context(device_target=device_target)
    if device_id is not None:
        _STATE['device_id'] = device_id


def set_seed(seed):
    """Seed numpy (as MindSpore does), torch, and msbridge's dataset shuffles."""
    if not isinstance(seed, int):
        raise TypeError("The argument 'seed' must be type of int, but got {}.".format(type(seed)))
    if isinstance(seed, bool) or seed < 0:
        raise ValueError(f"For 'global_seed', the 'seed' must be int and must >= 0, but got '{seed}' with type "
                         f"'{type(seed).__name__}'.")
    import torch

    from msbridge.mindspore.dataset import sources
    np.random.seed(seed)
    torch.manual_seed(seed)
    sources.seed(seed)
    _STATE['seed'] = seed
