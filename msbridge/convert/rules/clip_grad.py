"""Gradient clipping inside a training step (torch -> MindSpore).

torch clips the ``.grad`` of parameters between ``loss.backward()`` and ``optimizer.step()``::

    loss.backward()
    total = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()

In the converted step the gradients are the tuple ``value_and_grad`` returned (``rules.train_step``
names it ``grads``), so the call becomes a function of it, with torch's formula
(``msbridge.torch.grads``)::

    grads, total = clip_grad_norm(grads, max_norm)
    optimizer(grads)

The gradients are those of the optimizer's parameters. When the clipped parameters are written as
the optimizer was built (``model.parameters()`` both times) the sets are the same and the line is
converted; otherwise it is rewritten the same way and marked ``review`` (the sets may differ). A
clipping call outside such a step stays as written and is marked ``unsupported`` (``outside_step`` says why:
there are no ``.grad`` to clip on MindSpore, and no gradients tuple to clip in their place).
"""
from __future__ import annotations

import ast

import libcst as cst

from msbridge.convert import report as rpt

NORM = ("torch.nn.utils.clip_grad_norm_", "torch.nn.utils.clip_grad.clip_grad_norm_")
VALUE = ("torch.nn.utils.clip_grad_value_", "torch.nn.utils.clip_grad.clip_grad_value_")
SIGNATURES = {"norm": ("parameters", "max_norm", "norm_type", "error_if_nonfinite", "foreach"),
              "value": ("parameters", "clip_value", "foreach")}
TWINS = {"norm": "msbridge.torch.grads.clip_grad_norm", "value": "msbridge.torch.grads.clip_grad_value"}
GRADS = "grads"


def outside_step(api: str, target: str) -> str | None:
    """Why a clipping call the step rule did not take stays unsupported, or None for any other API."""
    if target != "mindspore" or (api not in NORM and api not in VALUE):
        return None
    return ("not between the loss.backward() and optimizer.step() of a zero_grad/backward/step sequence msbridge "
            "converts: MindSpore parameters hold no .grad to clip in place; inside such a step the gradients "
            "tuple is clipped (msbridge.torch.grads)")


def _kind(imports, call: cst.Call) -> str | None:
    name = imports.resolve(call.func)
    return "norm" if name in NORM else "value" if name in VALUE else None


def _bind(call: cst.Call, names) -> dict | None:
    out = {}
    for i, arg in enumerate(call.args):
        if arg.star or (arg.keyword is None and i >= len(names)) or (arg.keyword and arg.keyword.value not in names):
            return None
        out[names[i] if arg.keyword is None else arg.keyword.value] = arg.value
    return out


def _same_code(a: str, b: str) -> bool:
    try:
        return ast.unparse(ast.parse(a, mode="eval")) == ast.unparse(ast.parse(b, mode="eval"))
    except SyntaxError:
        return False


def _optimizer_params(scan, optimizer: str) -> str | None:
    value = scan.assigned.get(optimizer)
    if not isinstance(value, ast.Call):
        return None
    if value.args:
        return ast.unparse(value.args[0])
    params = next((k.value for k in value.keywords if k.arg == "params"), None)
    return ast.unparse(params) if params is not None else None


class ClipGrad:
    """Planned clipping statements of one region (filled by ``TrainStep.plan_block``)."""

    def __init__(self, rewriter):
        self.r = rewriter
        self.calls: dict[int, cst.Call] = {}                 # id(clip call) -> it (held: ids stay unique)
        self.statements: dict[int, tuple] = {}               # id(statement) -> (it, kind, optimizer)

    def clear(self) -> None:
        self.calls.clear()
        self.statements.clear()

    def plan(self, body, step) -> None:
        """Clipping statements between the step's ``backward`` and ``step`` calls."""
        for stmt in body[step.backward + 1:step.step]:
            if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
                continue
            small = stmt.body[0]
            if isinstance(small, cst.Expr):
                value = small.value
            elif isinstance(small, cst.Assign) and len(small.targets) == 1 \
                    and isinstance(small.targets[0].target, cst.Name):
                value = small.value
            else:
                continue
            if not isinstance(value, cst.Call):
                continue
            kind = _kind(self.r.imports, value)
            if kind is None or _bind(value, SIGNATURES[kind]) is None:
                continue
            self.calls[id(value)] = value
            self.statements[id(stmt)] = (stmt, kind, step.optimizer)

    def owns(self, call: cst.Call) -> bool:
        return id(call) in self.calls

    def statement(self, original, updated):
        """The rewritten clipping statement, or None."""
        if id(original) not in self.statements:
            return None
        _, kind, optimizer = self.statements[id(original)]
        small, new_small = original.body[0], updated.body[0]
        call = small.value
        bound = _bind(new_small.value, SIGNATURES[kind])
        code = self.r.module.code_for_node
        twin = code(self.r.needs.reference(TWINS[kind]))
        api = NORM[0] if kind == "norm" else VALUE[0]
        if kind == "norm":
            args = [GRADS, code(bound["max_norm"])]
            for name in ("norm_type", "error_if_nonfinite"):
                if name in bound:
                    args.append(f"{name}={code(bound[name])}")
            target = code(small.targets[0].target) if isinstance(small, cst.Assign) else "_"
            text = f"{GRADS}, {target} = {twin}({', '.join(args)})\n"
        else:
            if isinstance(small, cst.Assign):   # clip_grad_value_ returns None
                return None
            text = f"{GRADS} = {twin}({GRADS}, {code(bound['clip_value'])})\n"
        clipped = code(_bind(call, SIGNATURES[kind])["parameters"])
        built = _optimizer_params(self.r.scan, optimizer)
        target_text = f"{TWINS[kind]}({GRADS}, ...)"
        if built is not None and _same_code(clipped, built):
            self.r.report.add(api, self.r.line_of(original), rpt.CONVERTED, target_text,
                              f"clips the step's gradients (those of {optimizer}'s parameters, {built}) with torch's "
                              f"formula")
            return cst.parse_statement(text).with_changes(leading_lines=updated.leading_lines)
        why = (f"clips the gradients of {optimizer}'s parameters, the ones the converted step computes; the torch "
               f"call clipped those of {clipped}: check that they are the same set")
        self.r.report.add(api, self.r.line_of(original), rpt.REVIEW, target_text, why)
        mark = cst.EmptyLine(indent=True, comment=cst.Comment(f"# msbridge: review: {api}: {why}"))
        stmt = cst.parse_statement(text)
        if any(l.comment is not None and l.comment.value == mark.comment.value for l in updated.leading_lines):
            return stmt.with_changes(leading_lines=updated.leading_lines)
        return stmt.with_changes(leading_lines=[*updated.leading_lines, mark])
