"""A pre-pass over the file: what names are assigned, and the msbridge LR bridges to fold back.

The rewrite of one call sometimes depends on another statement:
``nn.Momentum(params, learning_rate=lr, ...)`` needs to know whether ``lr`` is a
number or a per-step list/schedule; a torch optimizer that the converter once
paired with ``MindSporeLR(opt, lr)`` folds back into MindSpore's
``learning_rate=lr``. Names are matched by their source text (``opt``,
``self.opt``), flat over the file; the last assignment wins.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from msbridge.convert.names import ImportTable

BRIDGE_NAMES = ("msbridge.bridge.MindSporeLR", "msbridge.bridge.mindspore_lr.MindSporeLR")
POST_HOOK = "register_step_post_hook"


@dataclass
class LrBridge:
    optimizer: str       # source text of the optimizer it drives
    learning_rate: str   # source text of the MindSpore LR (list or schedule)
    scheduler: str       # the name the bridge is bound to


@dataclass
class Facts:
    assigned: dict[str, cst.BaseExpression] = field(default_factory=dict)
    bridges: dict[str, LrBridge] = field(default_factory=dict)        # by optimizer text
    bridge_statements: set[int] = field(default_factory=set)          # id() of statements to drop

    def value_of(self, text: str) -> cst.BaseExpression | None:
        return self.assigned.get(text)


class _Collector(cst.CSTVisitor):
    def __init__(self, module: cst.Module, imports: ImportTable):
        self.module, self.imports = module, imports
        self.facts = Facts()
        self.hooks: list[tuple[cst.SimpleStatementLine, str, str]] = []

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if len(node.body) != 1:
            return
        small = node.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = self.module.code_for_node(small.targets[0].target)
            self.facts.assigned[target] = small.value
            call = small.value
            if (isinstance(call, cst.Call) and self.imports.resolve(call.func) in BRIDGE_NAMES
                    and len(call.args) == 2 and all(a.keyword is None and not a.star for a in call.args)):
                opt, lr = (self.module.code_for_node(a.value) for a in call.args)
                self.facts.bridges[opt] = LrBridge(opt, lr, target)
                self.facts.bridge_statements.add(id(node))
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            func = small.value.func
            if isinstance(func, cst.Attribute) and func.attr.value == POST_HOOK and len(small.value.args) == 1:
                hook = self.module.code_for_node(small.value.args[0].value)
                self.hooks.append((node, self.module.code_for_node(func.value), hook))


def collect_facts(module: cst.Module, imports: ImportTable) -> Facts:
    collector = _Collector(module, imports)
    module.visit(collector)
    facts = collector.facts
    for stmt, opt, hook in collector.hooks:
        bridge = facts.bridges.get(opt)
        if bridge is not None and hook.replace(" ", "") == f"lambda*_:{bridge.scheduler}.step()":
            facts.bridge_statements.add(id(stmt))
    return facts
