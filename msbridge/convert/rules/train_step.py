"""The training-step idiom, both ways.

MindSpore computes gradients functionally and hands them to the optimizer::

    grad_fn = mindspore.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)
    (loss, logits), grads = grad_fn(data, label)
    optimizer(grads)

torch accumulates them on the parameters::

    optimizer.zero_grad()
    (loss, logits) = forward_fn(data, label)
    loss.backward()
    optimizer.step()

To torch: the ``value_and_grad`` assignment is dropped, its call becomes the
four torch lines' first three, ``optimizer(grads)`` becomes ``optimizer.step()``.
To MindSpore: inside one block, ``opt.zero_grad()`` ... ``loss.backward()`` ...
``opt.step()`` becomes a local forward function over the statements between
``zero_grad`` and ``backward`` (returning the loss, plus every other name they
assign, so later code still sees them), one ``value_and_grad`` call and
``opt(grads)``. Anything else of the kind is left for the general rules (and
marked when it has no counterpart).
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.imports import names_read
from msbridge.convert.scan import VALUE_AND_GRAD, GradFn

FORWARD_FN = "_msbridge_forward"


def _text(module, node):
    return module.code_for_node(node)


def _call_parts(call: cst.Call, module) -> GradFn | None:
    """``value_and_grad(FN, None, OPT.parameters[, has_aux=B])`` -> its parts."""
    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    if len(positional) != 3 or set(keywords) - {"has_aux"}:
        return None
    fn, position, weights = (a.value for a in positional)
    if not (isinstance(position, cst.Name) and position.value == "None"):
        return None
    if not (isinstance(weights, cst.Attribute) and weights.attr.value == "parameters"):
        return None
    has_aux = keywords.get("has_aux")
    if has_aux is not None and not (isinstance(has_aux, cst.Name) and has_aux.value in ("True", "False")):
        return None
    return GradFn(_text(module, fn), _text(module, weights.value), has_aux is not None and has_aux.value == "True")


def _expr_call(stmt) -> cst.Call | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr):
        value = stmt.body[0].value
        return value if isinstance(value, cst.Call) else None
    return None


def _method_call_on(stmt, method: str, module) -> str | None:
    """``X.method()`` as a statement -> text of X."""
    call = _expr_call(stmt)
    if call is not None and not call.args and isinstance(call.func, cst.Attribute) and call.func.attr.value == method:
        return _text(module, call.func.value)
    return None


class _Assigned(cst.CSTVisitor):
    """Plain names a list of statements assigns at their own level."""

    def __init__(self):
        self.names: list[str] = []

    def visit_FunctionDef(self, node):
        return False

    def visit_ClassDef(self, node):
        return False

    def visit_Lambda(self, node):
        return False

    def visit_Attribute(self, node):
        return False

    def visit_Subscript(self, node):
        return False

    def visit_AssignTarget(self, node):
        self._collect(node.target)

    def visit_AugAssign(self, node):
        self._collect(node.target)

    def visit_AnnAssign(self, node):
        self._collect(node.target)

    def visit_For(self, node):
        self._collect(node.target)

    def _collect(self, target):
        if isinstance(target, cst.Name):
            if target.value not in self.names:
                self.names.append(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._collect(element.value)


class TrainStep:
    def __init__(self, rewriter):
        self.r = rewriter
        self.module = rewriter.module
        self.grad_fns: dict[str, GradFn] = rewriter.scan.grad_fns  # name bound to value_and_grad(...)
        self.grads: dict[str, str] = {}            # gradient variable -> optimizer text
        self.lines: dict[int, tuple] = {}          # id(updated zero_grad statement) -> (it, its source line)

    # ---- to torch -----------------------------------------------------------------------------
    def owns(self, call: cst.Call) -> bool:
        """value_and_grad(FN, None, OPT.parameters) calls belong to this rule (to torch)."""
        return (self.r.target == "torch" and self.r.imports.resolve(call.func) in VALUE_AND_GRAD
                and _call_parts(call, self.module) is not None)

    def statement(self, original, updated):
        if self.r.target == "mindspore" and _method_call_on(original, "zero_grad", self.module) is not None:
            self.lines[id(updated)] = (updated, self.r.line_of(original))  # holding the node keeps its id unique
        if self.r.target != "torch" or len(original.body) != 1:
            return None
        small = original.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            if (isinstance(target, cst.Name) and target.value in self.grad_fns
                    and isinstance(small.value, cst.Call) and self.owns(small.value)):
                self.r.report.add("mindspore.value_and_grad", self.r.line_of(original), rpt.CONVERTED,
                                  "loss.backward()", "gradients taken by torch autograd where the step happens")
                return cst.RemoveFromParent()
            value = small.value
            parts, call = None, None
            converted_call = updated.body[0].value if isinstance(updated.body[0], cst.Assign) else value
            if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in self.grad_fns:
                parts, call = self.grad_fns[value.func.value], value
            elif isinstance(value, cst.Call) and isinstance(value.func, cst.Call) and self.owns(value.func):
                parts, call = _call_parts(value.func, self.module), value
                self.r.report.add("mindspore.value_and_grad", self.r.line_of(original), rpt.CONVERTED,
                                  "loss.backward()", "gradients taken by torch autograd where the step happens")
            if parts is not None and isinstance(target, cst.Tuple) and len(target.elements) == 2:
                out, grads = (e.value for e in target.elements)
                loss = out.elements[0].value if parts.has_aux and isinstance(out, cst.Tuple) else out
                loss_text = _text(self.module, loss) + ("[0]" if parts.has_aux and not isinstance(out, cst.Tuple) else "")
                self.grads[_text(self.module, grads)] = parts.optimizer
                args = self._args_text(converted_call if isinstance(converted_call, cst.Call) else call)
                lines = [f"{parts.optimizer}.zero_grad()\n",
                         f"{_text(self.module, out)} = {parts.forward}({args})\n",
                         f"{loss_text}.backward()\n"]
                first = cst.parse_statement(lines[0]).with_changes(leading_lines=original.leading_lines)
                return cst.FlattenSentinel([first, *(cst.parse_statement(line) for line in lines[1:])])
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            call = small.value
            if (len(call.args) == 1 and call.args[0].keyword is None
                    and _text(self.module, call.args[0].value) in self.grads
                    and self.grads[_text(self.module, call.args[0].value)] == _text(self.module, call.func)):
                self.r.report.add("mindspore.nn.Optimizer.__call__", self.r.line_of(original), rpt.CONVERTED,
                                  "optimizer.step()")
                return updated.with_changes(body=[cst.Expr(cst.parse_expression(f"{_text(self.module, call.func)}.step()"))])
        return None

    def _args_text(self, call: cst.Call) -> str:
        return ", ".join(_text(self.module, a).rstrip().rstrip(",") for a in call.args)

    # ---- to MindSpore -----------------------------------------------------------------------------
    def block(self, node):
        if self.r.target != "mindspore":
            return node
        body = list(node.body)
        changed = False
        i = 0
        while i < len(body):
            optimizer = _method_call_on(body[i], "zero_grad", self.module)
            if optimizer is None:
                i += 1
                continue
            rewritten = self._to_mindspore(body, i, optimizer)
            if rewritten is None:
                i += 1
                continue
            body, i = rewritten
            changed = True
        return node.with_changes(body=body) if changed else node

    def _to_mindspore(self, body, start, optimizer):
        backward = step = None
        for j in range(start + 1, len(body)):
            if backward is None and _method_call_on(body[j], "backward", self.module) is not None:
                backward = j
            elif backward is not None and _method_call_on(body[j], "step", self.module) == optimizer:
                step = j
                break
        if backward is None or step is None:
            return None
        loss = _method_call_on(body[backward], "backward", self.module)
        forward_stmts = body[start + 1:backward]
        collector = _Assigned()
        for stmt in forward_stmts:
            stmt.visit(collector)
        if loss not in collector.names:
            return None
        rebound = _rebound(forward_stmts, set(collector.names))
        if rebound:
            # a nested forward function would make these names local and read them before assignment
            message = (f"review: torch.Tensor.backward: the forward statements rebind {rebound} that they also read; "
                       f"write the value_and_grad step by hand")
            line = self.lines.get(id(body[start]), (None, 0))[1]
            self.r.report.add("torch.Tensor.backward", line, rpt.REVIEW, None, message)
            body = list(body)
            body[start] = _mark(body[start], message)
            return body, backward + 1
        aux = [n for n in collector.names if n not in (loss, "_")]
        line = self.lines.get(id(body[start]), (None, 0))[1]
        indent = "    "
        inner = cst.Module(body=forward_stmts).code
        inner = "".join(indent + l if l.strip() else l for l in inner.splitlines(keepends=True))
        returned = f"{loss}, ({', '.join(aux)},)" if aux else loss
        target = f"({loss}, ({', '.join(aux)},))" if aux else loss
        mindspore = self.r.needs.reference("mindspore.value_and_grad")
        grads = "grads"
        fn = f"def {FORWARD_FN}():\n{inner}{indent}return {returned}\n"
        vag = (f"{target}, {grads} = {self.module.code_for_node(mindspore)}({FORWARD_FN}, None, {optimizer}.parameters"
               f"{', has_aux=True' if aux else ''})()\n")
        new = [cst.parse_statement(fn).with_changes(leading_lines=body[start].leading_lines),
               cst.parse_statement(vag)]
        between = body[backward + 1:step]
        apply = cst.parse_statement(f"{optimizer}({grads})\n").with_changes(leading_lines=body[step].leading_lines)
        self.r.report.add("torch.Tensor.backward", line, rpt.CONVERTED, "mindspore.value_and_grad",
                          "zero_grad/backward/step -> value_and_grad + optimizer(grads)")
        out = body[:start] + new + between + [apply] + body[step + 1:]
        return out, start + len(new) + len(between) + 1


def _reads(stmt) -> set[str]:
    """Names a statement reads (an assignment's own targets excluded unless it reads them too)."""
    if isinstance(stmt, cst.SimpleStatementLine):
        names: set[str] = set()
        for small in stmt.body:
            if isinstance(small, (cst.Assign, cst.AnnAssign)):
                if small.value is not None:
                    names |= names_read(small.value)
            else:
                names |= names_read(small)
        return names
    return names_read(stmt)


def _rebound(statements, assigned: set[str]) -> list[str]:
    """Names the statements assign after (or while) reading an outer binding of them."""
    bound_here: set[str] = set()
    found: list[str] = []
    for stmt in statements:
        found += sorted((_reads(stmt) & assigned) - bound_here - set(found))
        collector = _Assigned()
        stmt.visit(collector)
        bound_here |= set(collector.names)
    return found


def _mark(stmt, message: str):
    text = f"# msbridge: {message}"
    if any(line.comment is not None and line.comment.value == text for line in stmt.leading_lines):
        return stmt
    return stmt.with_changes(leading_lines=[*stmt.leading_lines, cst.EmptyLine(indent=True, comment=cst.Comment(text))])
