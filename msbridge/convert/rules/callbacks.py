"""User ``Callback`` subclasses (MindSpore -> torch): what ``run_context`` holds in their hooks.

A subclass of MindSpore's ``Callback`` becomes a subclass of msbridge's twin, which ``Model`` calls at
MindSpore's points. Inside its hooks, ``run_context`` is msbridge's ``RunContext`` (a torch-side
object) and ``run_context.original_args().net_outputs`` the step's loss as a torch tensor, so
``cb_params.net_outputs.asnumpy()`` is rewritten like any torch tensor's (``.numpy(force=True)``;
the tensor fields are ``bindings.TENSOR_FIELDS``).
Why a rule: the hooks' parameter is bound by the framework's protocol, not by an assignment the
scope analysis sees.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert.bindings import TARGET

CALLBACK_BASES = ("mindspore.train.Callback", "mindspore.Callback")
HOOKS = frozenset({
    "begin", "epoch_begin", "epoch_end", "step_begin", "step_end", "end",
    "on_train_begin", "on_train_epoch_begin", "on_train_epoch_end", "on_train_step_begin", "on_train_step_end",
    "on_train_end", "on_eval_begin", "on_eval_epoch_begin", "on_eval_epoch_end", "on_eval_step_begin",
    "on_eval_step_end", "on_eval_end"})


def _is_callback_base(rewriter, base: cst.Arg) -> bool:
    name = rewriter.imports.resolve(base.value)
    return name is not None and rewriter.catalog.public_name(name, "mindspore") in CALLBACK_BASES \
        or name in ("mindspore.train.callback.Callback", "mindspore.train.callback._callback.Callback")


def bind_hooks(rewriter, node: cst.ClassDef, kind: str | None) -> None:
    """In a converted Callback subclass, each hook's ``run_context`` parameter holds a target object."""
    if rewriter.target != "torch" or kind != TARGET or rewriter.bindings is None:
        return
    if not any(_is_callback_base(rewriter, base) for base in node.bases):
        return
    for stmt in node.body.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value in HOOKS and len(stmt.params.params) == 2 \
                and not stmt.decorators:
            rewriter.bindings.names[id(stmt.params.params[1])] = TARGET
