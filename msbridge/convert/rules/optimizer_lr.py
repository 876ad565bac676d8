"""A MindSpore optimizer fed a per-step LR, as a torch optimizer plus ``MindSporeLR``.

MindSpore optimizers accept ``learning_rate`` as a number, a per-step list or a
``LearningRateSchedule`` and advance it with every optimizer step. A torch
optimizer takes a number only. So ``opt = nn.Momentum(p, learning_rate=lr, ...)``
with a non-number ``lr`` becomes::

    opt = torch.optim.SGD(p, momentum=0.9)
    opt_mindspore_lr = MindSporeLR(opt, lr)
    opt.register_step_post_hook(lambda *_: opt_mindspore_lr.step())

``MindSporeLR`` sets the LR of step i to the MindSpore value of step i, and the
post-hook advances it with every ``opt.step()`` just as MindSpore advances its
``global_step`` -- so the LR is the same at every step without touching the
training loop. Converting back to MindSpore folds the three lines into
``learning_rate=lr`` again (see ``msbridge.convert.facts``).
"""
from __future__ import annotations

import ast

import libcst as cst

from msbridge.tables import ApiRow

BRIDGE = "msbridge.bridge.MindSporeLR"
MINDSPORE_LR_ARG, TORCH_LR_ARG = "learning_rate", "lr"


def lr_rule_of(row: ApiRow) -> bool:
    """True for an optimizer row whose MindSpore ``learning_rate`` is torch's ``lr``."""
    return any(r.mindspore == MINDSPORE_LR_ARG and r.torch == TORCH_LR_ARG for r in row.args)


def _is_number(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        node = node.expression
    return isinstance(node, (cst.Integer, cst.Float))


def _is_number_ast(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def is_per_step(value: cst.BaseExpression, scan, code_of) -> bool:
    """False only when ``value`` is certainly a number (a literal, or a name assigned one)."""
    if _is_number(value):
        return False
    if not isinstance(value, (cst.Name, cst.Attribute)):
        return True
    node = scan.value_of(code_of(value))
    for _ in range(8):
        if node is None:
            return True
        if _is_number_ast(node):
            return False
        if not isinstance(node, (ast.Name, ast.Attribute)):
            return True
        node = scan.value_of(ast.unparse(node))
    return True


def bridge_statements(optimizer: str, learning_rate: str, bridge_name: str) -> tuple[str, list[cst.BaseStatement]]:
    """The statements that make torch optimizer ``optimizer`` follow ``learning_rate`` per step."""
    scheduler = f"{optimizer}_mindspore_lr"
    lines = [
        f"{scheduler} = {bridge_name}({optimizer}, {learning_rate})\n",
        f"{optimizer}.register_step_post_hook(lambda *_: {scheduler}.step())\n",
    ]
    return scheduler, [cst.parse_statement(line) for line in lines]
