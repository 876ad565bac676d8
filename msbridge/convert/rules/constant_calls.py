"""Source-framework calls whose value is a constant in the target framework.

``torch.jit.is_scripting()`` asks whether TorchScript is compiling the code: never, once the code
runs on MindSpore (timm guards its checkpointing paths with it), so the call becomes ``False``.
The same holds for ``torch.jit.is_tracing()``. Only calls without arguments are replaced.
"""
from __future__ import annotations

import libcst as cst

# (source API, target framework) -> the Python constant it evaluates to there, and why
CONSTANTS = {
    ("torch.jit.is_scripting", "mindspore"): ("False", "TorchScript never compiles MindSpore code"),
    ("torch.jit.is_tracing", "mindspore"): ("False", "the torch JIT tracer never runs MindSpore code"),
}


def replace(name: str | None, target: str, call: cst.Call) -> tuple[cst.BaseExpression, str] | None:
    """(the constant, the reason) when ``call`` of ``name`` is a constant on ``target``; else None."""
    found = CONSTANTS.get((name, target))
    if found is None or call.args:
        return None
    return cst.Name(found[0]), found[1]
