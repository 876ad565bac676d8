"""Loss scaling in a training step (torch -> MindSpore): ``torch.amp.GradScaler``.

torch's scaled step::

    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()

is the training step ``rules.train_step`` converts, with the scaled backward as its ``backward`` and
``scaler.step(optimizer)`` as its ``step``; the step becomes ``scaler.step(optimizer, grads)`` on
msbridge's ``GradScaler`` (``msbridge.torch.amp``), which applies ``optimizer(grads)`` unless the
scaled gradients overflow, as torch's skips the step; ``scaler.update()`` and ``scaler.unscale_(opt)``
stay as written. The scaler must be a name the file binds to ``torch.amp.GradScaler(...)`` (or
``torch.cuda.amp.GradScaler``).
"""
from __future__ import annotations

import ast
import re

import libcst as cst

SCALERS = ("torch.amp.GradScaler", "torch.cuda.amp.GradScaler", "torch.amp.grad_scaler.GradScaler",
           "torch.cpu.amp.GradScaler",
           # a second run sees the twins the first one wrote, and must plan the same step
           "msbridge.torch.amp.GradScaler", "msbridge.torch.cuda.amp.GradScaler")
_SCALED = re.compile(r"([A-Za-z_][\w.]*)\.scale\(\s*([A-Za-z_]\w*)\s*\)")


def is_scaler(scan, text: str) -> bool:
    value = scan.assigned.get(text)
    if not isinstance(value, ast.Call) or not isinstance(value.func, (ast.Name, ast.Attribute)):
        return False
    return scan.imports.qualify(ast.unparse(value.func)) in SCALERS


def scaled_loss(receiver: str, scan) -> tuple[str, str] | None:
    """``scaler.scale(loss)`` (the receiver of ``.backward()``) -> (scaler, loss)."""
    match = _SCALED.fullmatch(receiver)
    if match is None or scan is None or not is_scaler(scan, match.group(1)):
        return None
    return match.group(1), match.group(2)


def scaler_step(stmt, module, scan) -> tuple[str, str] | None:
    """``scaler.step(optimizer)`` as a statement -> (scaler, optimizer)."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)):
        return None
    call = stmt.body[0].value
    if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "step"
            and len(call.args) == 1 and call.args[0].keyword is None and not call.args[0].star):
        return None
    scaler = module.code_for_node(call.func.value)
    if scan is None or not is_scaler(scan, scaler):
        return None
    return scaler, module.code_for_node(call.args[0].value)
