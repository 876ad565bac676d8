"""torch.multiprocessing on MindSpore: Python's ``multiprocessing`` plus torch's ``spawn``.

torch.multiprocessing is a drop-in wrapper of the standard module whose own additions are the
``spawn``/``start_processes`` launcher and the sharing of torch tensors through shared memory. The
launcher is framework-free (``spawn.py``); MindSpore tensors passed to a child are pickled copies, so
a child's in-place updates (Hogwild's ``model.share_memory()``) do not reach the parent.
"""
# torch.multiprocessing re-exports the standard module
from multiprocessing import (Array, Barrier, BoundedSemaphore, Condition, Event, JoinableQueue, Lock, Manager,  # noqa: F401
                             Pipe, Pool, Process, Queue, RLock, RawArray, RawValue, Semaphore, SimpleQueue, Value,
                             active_children, cpu_count, current_process, freeze_support, get_all_start_methods,
                             get_context, get_start_method, parent_process, set_start_method)

from msbridge.torch.multiprocessing.spawn import (ProcessContext, ProcessException, ProcessExitedException,
                                                  ProcessRaisedException, spawn, start_processes)

__all__ = ["Array", "Barrier", "BoundedSemaphore", "Condition", "Event", "JoinableQueue", "Lock", "Manager", "Pipe",
           "Pool", "Process", "ProcessContext", "ProcessException", "ProcessExitedException", "ProcessRaisedException",
           "Queue", "RLock", "RawArray", "RawValue", "Semaphore", "SimpleQueue", "Value", "active_children",
           "cpu_count", "current_process", "freeze_support", "get_all_start_methods", "get_context",
           "get_start_method", "parent_process", "set_start_method", "spawn", "start_processes"]
