"""``mindspore.jit`` for converted scripts: the function itself, run eagerly.

MindSpore compiles a ``@jit`` function to a graph; the numbers are those of PyNative mode, which is how
torch runs. ``torch.compile`` is the nearest torch counterpart and changes only speed, so it is left to
the user. Works bare (``@jit``) and with arguments (``@jit(jit_level="O1")``).
"""


def jit(function=None, *, capture_mode="ast", jit_level="O0", dynamic=0, fullgraph=False, backend="", **options):
    if capture_mode not in ("ast", "bytecode", "trace"):
        raise ValueError(f"For 'jit', the argument 'capture_mode' should be one of ['ast', 'bytecode', 'trace'], "
                         f"but got {capture_mode!r}.")
    if function is None:
        return lambda fn: fn
    return function
