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

import ast
from dataclasses import dataclass

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import TARGET
from msbridge.convert.imports import names_read
from msbridge.convert.names import dotted_name
from msbridge.convert.rules import gradients, grad_scaler, param_groups
from msbridge.convert.rules.clip_grad import ClipGrad
from msbridge.convert.rules.optimizer_params import TEMPLATE as PARAMETERS_TEMPLATE
from msbridge.convert.rules.optimizer_params import keeps_parameters, optimizer_names, step_weights
from msbridge.convert.scan import VALUE_AND_GRAD, GradFn
from msbridge.convert.scan import _dotted as _ast_dotted
from msbridge.convert.walk import walk

FORWARD_FN = "_msbridge_forward"
TWIN = "msbridge.mindspore.value_and_grad"             # a kept step's gradient function (MindSpore -> torch)
APPLY = "msbridge.bridge.apply_gradients.apply_gradients"   # ... and its optimizer(grads)
VIEWS = param_groups.LR_VIEWS


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
        self.losses: set[str] = set()              # loss names of steps rewritten to torch
        self.lines: dict[int, tuple] = {}          # id(updated backward statement) -> (it, its source line)
        self.consumed: dict[int, cst.CSTNode] = {}  # id(original statement) a step rewrite replaces -> it
        self.refused: dict[int, tuple] = {}        # id(original statement) of a refused step -> (it, why)
        self.lr_views: dict[int, cst.Attribute] = {}  # id(X.param_groups) used for its 'lr' only -> it
        self.optimizers: set[str] = _optimizer_names(rewriter.scan)
        self._optimizers: set[str] | None = None    # texts bound to a MindSpore optimizer (optimizer_texts)
        self._gradients: set[str] | None = None     # names bound to value_and_grad gradients (gradient_names)
        self.clip = ClipGrad(rewriter)              # clipping calls inside planned steps (rules.clip_grad)
        tree = getattr(rewriter.scan, "tree", None)
        # grad_fn names / step lines whose gradients are used beyond ``optimizer(grads)`` -> why
        self.escaping, self.escaping_lines = (gradients.escapes(tree, self.grad_fns, rewriter.scan.imports, rewriter.scan.nodes or None)
                                              if tree is not None and rewriter.target == "torch" else ({}, {}))

    # ---- to torch -----------------------------------------------------------------------------
    def owns(self, call: cst.Call) -> bool:
        """value_and_grad(FN, None, OPT.parameters) and depend(x, OPT(grads)) calls belong to this rule (to torch)."""
        if self.r.target != "torch":
            return self.clip.owns(call)
        if self._depend(call) is not None:
            return True
        # a second run sees the weights as converted ([p for group in opt.param_groups ...]): still this rule's
        return self.r.imports.resolve(call.func) in VALUE_AND_GRAD and (
            _call_parts(call, self.module) is not None or step_weights(call, self.r.code_of))

    def _depend(self, call) -> tuple[str, str] | None:
        """``ops.depend(X, OPT(grads))`` with known grads -> (text of X, text of OPT)."""
        if not isinstance(call, cst.Call):
            return None
        name = self.r.imports.resolve(call.func) or ""
        if not (name.startswith("mindspore.") and name.endswith(".depend")) or len(call.args) != 2:
            return None
        if any(a.keyword is not None or a.star for a in call.args):
            return None
        inner = call.args[1].value
        if not (isinstance(inner, cst.Call) and len(inner.args) == 1 and inner.args[0].keyword is None):
            return None
        grads, optimizer = _text(self.module, inner.args[0].value), _text(self.module, inner.func)
        if self.grads.get(grads) != optimizer:
            return None
        return _text(self.module, call.args[0].value), optimizer

    def scalar(self, call: cst.Call):
        """``float(loss)`` -> ``loss.item()``: torch warns when a tensor that requires grad becomes a float."""
        if (self.r.target == "torch" and isinstance(call.func, cst.Name) and call.func.value == "float"
                and len(call.args) == 1 and call.args[0].keyword is None and not call.args[0].star
                and isinstance(call.args[0].value, cst.Name) and call.args[0].value.value in self.losses):
            return cst.parse_expression(f"{call.args[0].value.value}.item()")
        return None

    def _kept(self, original, updated, call: cst.Call | None, source_call: cst.Call | None = None):
        """A step whose gradients go beyond ``optimizer(grads)`` keeps its shape: its ``value_and_grad`` becomes
        msbridge's twin (``call``: the updated call to retarget, None for a step line calling a grad_fn) and its
        ``optimizer(grads)`` ``apply_gradients`` (``call_of_optimizer``)."""
        if call is None:
            return updated
        self.r.report.add("mindspore.value_and_grad", self.r.line_of(original), rpt.CONVERTED, TWIN,
                          "the gradients are used beyond optimizer(grads): the step keeps its shape, with "
                          "MindSpore's value_and_grad on torch (msbridge.mindspore.value_and_grad)")
        args = list(call.args)
        sources = list(source_call.args) if source_call is not None and len(source_call.args) == len(args) else args
        for i, (arg, source) in enumerate(zip(args, sources)):   # opt.parameters of an optimizer not bound in
            # this file: torch's groups (msbridge's MindSpore-shaped optimizer keeps .parameters)
            if (i == 2 and arg.keyword is None or arg.keyword is not None and arg.keyword.value == "weights") \
                    and isinstance(arg.value, cst.Attribute) and arg.value.attr.value == "parameters" \
                    and not (isinstance(source.value, cst.Attribute) and keeps_parameters(self.r, source.value.value)):
                groups = PARAMETERS_TEMPLATE.format(_text(self.module, arg.value.value))
                args[i] = arg.with_changes(value=cst.parse_expression(groups))
        twin = call.with_changes(func=self.r.needs.reference(TWIN), args=args)
        return updated.deep_replace(call, twin)

    def call_of_optimizer(self, original: cst.Call, updated: cst.Call):
        """``optimizer(grads)`` of a kept step (MindSpore -> torch): ``apply_gradients(optimizer, grads)``, or None."""
        if self.r.target != "torch" or len(original.args) != 1 or original.args[0].keyword is not None \
                or original.args[0].star:
            return None
        optimizer = dotted_name(original.func)   # every one-argument call passes here: no code generated yet
        if optimizer is None:
            return None
        value = original.args[0].value
        if optimizer not in self.optimizer_texts() and not (
                isinstance(value, cst.Name) and value.value in self.gradient_names()):
            return None   # not known to be a MindSpore optimizer given gradients
        if self.grads.get(_text(self.module, value)) == optimizer or self.r.imports.resolve(original.func) is not None:
            return None   # a step rewritten as zero_grad/backward/step, or a framework function
        self.r.report.add("mindspore.nn.Optimizer.__call__", self.r.line_of(original), rpt.CONVERTED, APPLY,
                          "the optimizer applies gradients held in a value: their parameters' .grad, then step()")
        return cst.Call(func=self.r.needs.reference(APPLY),
                        args=[cst.Arg(updated.func, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                              cst.Arg(updated.args[0].value)])

    def gradient_names(self) -> set[str]:
        """Names bound to the gradients of a ``value_and_grad`` function (``loss, grads = grad_fn(x)``,
        ``(loss, aux), grads = value_and_grad(...)(x)``): whatever is called with one is an optimizer applying them
        (``apply_gradients`` calls anything but a torch optimizer as written)."""
        if self._gradients is None:
            nodes = self.r.scan.nodes or []
            makers = {text for text, value in self.r.scan.assigned.items() if isinstance(value, ast.Call)
                      and self.r.scan.imports.qualify(_ast_dotted(value.func)) in VALUE_AND_GRAD}
            self._gradients = set()
            for node in nodes:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple) \
                        and len(node.targets[0].elts) == 2 and isinstance(node.targets[0].elts[1], ast.Name) \
                        and isinstance(node.value, ast.Call):
                    func = node.value.func
                    if _ast_dotted(func) in makers or (isinstance(func, ast.Call) and self.r.scan.imports.qualify(
                            _ast_dotted(func.func)) in VALUE_AND_GRAD):
                        self._gradients.add(node.targets[0].elts[1].id)
        return self._gradients

    def optimizer_texts(self) -> set[str]:
        """Texts of MindSpore optimizers: bound in the file, or whose ``.parameters`` a grad_fn differentiates."""
        if self._optimizers is None:
            self._optimizers = optimizer_names(self.r) | {fn.optimizer for fn in self.grad_fns.values()}
        return self._optimizers

    def statement(self, original, updated):
        if self.r.target == "mindspore":
            if _call_on(original, "backward", self.module) is not None:
                self.lines[id(updated)] = (updated, self.r.line_of(original))  # holding the node keeps its id unique
            clipped = self.clip.statement(original, updated)
            if clipped is not None:
                return clipped
        if self.r.target != "torch" or len(original.body) != 1:
            return None
        small = original.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            if (isinstance(target, cst.Name) and target.value in self.grad_fns
                    and isinstance(small.value, cst.Call) and self.owns(small.value)):
                if target.value in self.escaping:
                    return self._kept(original, updated, updated.body[0].value, small.value)
                self.r.report.add("mindspore.value_and_grad", self.r.line_of(original), rpt.CONVERTED,
                                  "loss.backward()", "gradients taken by torch autograd where the step happens")
                return cst.RemoveFromParent()
            value = small.value
            parts, call = None, None
            converted_call = updated.body[0].value if isinstance(updated.body[0], cst.Assign) else value
            escape = self.escaping_lines.get(self.r.line_of(original))
            if escape and isinstance(target, cst.Tuple) and len(target.elements) == 2:
                self.grads.pop(_text(self.module, target.elements[1].value), None)   # its optimizer(grads) stays
            if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in self.grad_fns:
                if value.func.value in self.escaping or escape:
                    return self._kept(original, updated, None)
                parts, call = self.grad_fns[value.func.value], value
            elif isinstance(value, cst.Call) and isinstance(value.func, cst.Call) and self.owns(value.func):
                if escape:
                    return self._kept(original, updated, converted_call.func, value.func)
                parts, call = _call_parts(value.func, self.module), value
                self.r.report.add("mindspore.value_and_grad", self.r.line_of(original), rpt.CONVERTED,
                                  "loss.backward()", "gradients taken by torch autograd where the step happens")
            if parts is not None and isinstance(target, cst.Tuple) and len(target.elements) == 2:
                out, grads = (e.value for e in target.elements)
                loss = out.elements[0].value if parts.has_aux and isinstance(out, cst.Tuple) else out
                loss_text = _text(self.module, loss) + ("[0]" if parts.has_aux and not isinstance(out, cst.Tuple) else "")
                self.grads[_text(self.module, grads)] = parts.optimizer
                if isinstance(loss, cst.Name):
                    self.losses.add(loss.value)
                    if self.r.bindings is not None:   # the step's loss is a torch tensor (`loss.asnumpy()` after it)
                        self.r.bindings.names[id(loss)] = TARGET
                args = self._args_text(converted_call if isinstance(converted_call, cst.Call) else call)
                lines = [f"{parts.optimizer}.zero_grad()\n",
                         f"{_text(self.module, out)} = {parts.forward}({args})\n",
                         f"{loss_text}.backward()\n"]
                first = cst.parse_statement(lines[0]).with_changes(leading_lines=original.leading_lines)
                return cst.FlattenSentinel([first, *(cst.parse_statement(line) for line in lines[1:])])
        depend_of = small.value if isinstance(small, (cst.Assign, cst.Return)) else None
        depend = self._depend(depend_of)
        if depend is not None:   # `loss = ops.depend(loss, opt(grads))` / `return ops.depend(loss, opt(grads))`
            kept, optimizer = depend
            self.r.report.add("mindspore.ops.depend", self.r.line_of(original), rpt.CONVERTED, "optimizer.step()",
                              "torch runs statements in order: the step, then the value")
            lines = [f"{optimizer}.step()\n"]
            if isinstance(small, cst.Return):
                lines.append(f"return {kept}\n")
            elif len(small.targets) != 1 or _text(self.module, small.targets[0].target) != kept:
                lines.append(f"{_text(self.module, small.targets[0].target)} = {kept}\n")
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
    def plan_block(self, node) -> None:
        """Before a block's statements are visited: which of them a step rewrite consumes.

        Idiom statements (``zero_grad``, ``backward``, an optimizer's ``step``) that no
        rewrite consumes are marked for review by ``statement`` (they would run as torch).
        """
        if self.r.target != "mindspore":
            return
        for attribute in param_groups.lr_views(node.body):
            self.lr_views[id(attribute)] = attribute
        for step in _plan(list(node.body), self.module, self.r.imports, self.r.scan):
            if not step.refused:
                self.clip.plan(node.body, step)
            for index in (step.zero, step.backward, step.step):
                stmt = node.body[index]
                if step.refused:
                    self.refused[id(stmt)] = (stmt, step.refused)
                else:
                    self.consumed[id(stmt)] = stmt

    def leftover(self, original) -> None:
        """Mark a torch training-step statement that stays torch (it would crash or do nothing in MindSpore)."""
        if self.r.target != "mindspore" or id(original) in self.consumed:
            return
        line = self.r.line_of(original)
        if id(original) in self.refused:
            return   # the block rewrite marks it with its own reason
        call = _expr_call(original)
        if call is None or not isinstance(call.func, cst.Attribute):
            return
        method, receiver = call.func.attr.value, _text(self.module, call.func.value)
        if method == "zero_grad":
            why = (f"{receiver}.zero_grad() is not part of a zero_grad/backward/step sequence on one optimizer in "
                   f"one block; MindSpore has no zero_grad: write the value_and_grad step by hand")
        elif method == "backward":
            why = (f"{receiver}.backward() is not part of a zero_grad/backward/step sequence on one optimizer in one "
                   f"block; MindSpore has no Tensor.backward: use mindspore.value_and_grad")
        elif method == "step" and _looks_like_optimizer(receiver, self.optimizers):
            why = (f"{receiver}.step() is not part of a zero_grad/backward/step sequence in one block; "
                   f"a MindSpore optimizer is called with the gradients: {receiver}(grads)")
        else:
            return
        api = {"zero_grad": "torch.optim.Optimizer.zero_grad", "backward": "torch.Tensor.backward",
               "step": "torch.optim.Optimizer.step"}[method]
        self.r.report.add(api, line, rpt.REVIEW, None, why)
        self.r.mark(f"review: {api}: {why}")

    def attribute(self, node: cst.Attribute, updated: cst.Attribute):
        """``optimizer.param_groups`` used for its ``'lr'`` only -> msbridge's view of the MindSpore optimizer;
        any other use, and ``p.grad``, have no MindSpore counterpart: mark them."""
        if self.r.target != "mindspore":
            return None
        attr = node.attr.value
        if attr == "param_groups" and id(node) in self.lr_views:
            self.r.report.add("torch.optim.Optimizer.param_groups", self.r.line_of(node), rpt.CONVERTED, VIEWS,
                              "'lr' read and written on the MindSpore optimizer's learning_rate")
            return cst.Call(func=self.r.needs.reference(VIEWS), args=[cst.Arg(updated.value)])
        if attr == "param_groups":
            why = ("MindSpore optimizers have no param_groups (the LR lives in optimizer.learning_rate, "
                   "per group in optimizer.group_lr): rewrite this LR logic as a MindSpore LR list or schedule")
            api = "torch.optim.Optimizer.param_groups"
        elif attr == "grad" and not isinstance(node.value, cst.Call):
            why = ("MindSpore parameters hold no .grad: gradients are the values mindspore.value_and_grad returns; "
                   "rewrite this manual update with them")
            api = "torch.Tensor.grad"
        else:
            return
        self.r.report.add(api, self.r.line_of(node), rpt.REVIEW, None, why)
        self.r.mark(f"review: {api}: {why}")
        return None

    def block(self, node):
        if self.r.target != "mindspore":
            return node
        body = list(node.body)
        steps = _plan(body, self.module, self.r.imports, self.r.scan)
        if not steps:
            return node
        for step in reversed(steps):   # later steps first: earlier indices stay valid
            body = self._rewrite(body, step)
        return node.with_changes(body=body)

    def _rewrite(self, body, step: "_Step"):
        z, j, k = step.zero, step.backward, step.step
        line = self.lines.get(id(body[j]), (None, 0))[1]
        if step.refused:
            self.r.report.add("torch.Tensor.backward", line, rpt.REVIEW, None, step.refused)
            body = list(body)
            body[z] = _mark(body[z], f"review: torch.Tensor.backward: {step.refused}", self.module.header)
            return body
        first, last = step.forward
        forward_stmts = list(body[first:last + 1])
        # the comment lines above the first forward statement go above the new function (once)
        above = list(forward_stmts[0].leading_lines) if first < z else []
        if above:
            forward_stmts[0] = forward_stmts[0].with_changes(leading_lines=[])
        collector = _Assigned()
        for stmt in forward_stmts:
            walk(stmt, collector)
        loss, optimizer = step.loss, step.optimizer
        aux = [n for n in collector.names if n not in (loss, "_")]
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
        self.r.report.add("torch.Tensor.backward", line, rpt.CONVERTED, "mindspore.value_and_grad",
                          "zero_grad/backward/step -> value_and_grad + optimizer(grads)")
        lo, hi = min(first, z), max(k, z)
        out = list(body[:lo])
        carried: list = []   # comment lines of removed statements go to the next statement
        for x in range(lo, hi + 1):
            stmt = body[x]
            if x == first:
                out.append(cst.parse_statement(fn).with_changes(leading_lines=[*carried, *above]))
                out.append(cst.parse_statement(vag))
                carried = []
            elif first < x <= last:
                continue
            elif x in (z, j):
                carried.extend(stmt.leading_lines)
            elif x == k:
                update = f"{step.scaler}.step({optimizer}, {grads})" if step.scaler else f"{optimizer}({grads})"
                out.append(cst.parse_statement(f"{update}\n").with_changes(
                    leading_lines=[*carried, *stmt.leading_lines]))
                carried = []
            else:
                out.append(stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines]) if carried else stmt)
                carried = []
        rest = list(body[hi + 1:])
        if carried and rest:
            rest[0] = rest[0].with_changes(leading_lines=[*carried, *rest[0].leading_lines])
        return out + rest


@dataclass
class _Step:
    zero: int
    backward: int
    step: int
    optimizer: str
    loss: str
    forward: tuple[int, int] = (0, -1)   # first and last index of the statements the forward function holds
    refused: str = ""                    # why the step is left as torch
    scaler: str = ""                     # the GradScaler of a scaled step (rules.grad_scaler)


def _call_on(stmt, method: str, module, args_ok: bool = False) -> str | None:
    """``X.method(...)`` as a statement -> text of X (arguments only when ``args_ok``)."""
    call = _expr_call(stmt)
    if (call is not None and isinstance(call.func, cst.Attribute) and call.func.attr.value == method
            and (args_ok or not call.args)):
        return _text(module, call.func.value)
    return None


def _assigns(stmt) -> list[str]:
    collector = _Assigned()
    walk(stmt, collector)
    return collector.names


def _backward_loss(stmt, module, scan) -> tuple[str, str] | None:
    """``loss.backward()`` -> (loss, ''); ``scaler.scale(loss).backward()`` -> (loss, scaler)."""
    receiver = _call_on(stmt, "backward", module)
    if receiver is None:
        return None
    if receiver.isidentifier():
        return receiver, ""
    scaled = grad_scaler.scaled_loss(receiver, scan)
    return (scaled[1], scaled[0]) if scaled is not None else None


def _step_of(stmt, module, scan) -> tuple[str, str] | None:
    """``opt.step()`` -> (opt, ''); ``scaler.step(opt)`` -> (opt, scaler)."""
    optimizer = _call_on(stmt, "step", module)
    if optimizer is not None:
        return optimizer, ""
    scaled = grad_scaler.scaler_step(stmt, module, scan)
    return (scaled[1], scaled[0]) if scaled is not None else None


def _plan(body, module, imports, scan=None) -> list[_Step]:
    """The zero_grad / forward / backward / step sequences of one block that become value_and_grad steps.

    Shapes: ``zero_grad; forward; backward; step`` (forward between), ``forward; zero_grad; backward; step``
    (pytorch/examples imagenet) and ``forward; backward; step; zero_grad`` (zero_grad after the step).
    ``zero_grad`` and ``step`` must be on the same optimizer, ``backward`` on a plain loss name that the
    forward statements assign, and nothing between them may step, zero or backward again.
    """
    steps: list[_Step] = []
    lower = 0
    for j, stmt in enumerate(body):
        if j < lower:
            continue
        backward = _backward_loss(stmt, module, scan)
        if backward is None:
            continue
        loss, scaler = backward
        k = next((x for x in range(j + 1, len(body)) if _step_of(body[x], module, scan) is not None
                  or _call_on(body[x], "backward", module, True) is not None), None)
        if k is None or _step_of(body[k], module, scan) is None or _step_of(body[k], module, scan)[1] != scaler:
            continue
        optimizer = _step_of(body[k], module, scan)[0]
        zeros = [x for x in range(lower, len(body)) if _call_on(body[x], "zero_grad", module, True) == optimizer]
        before = [x for x in zeros if x < j]
        after = [x for x in zeros if x > k]
        if before:
            z = before[-1]
        elif after and not any(_call_on(body[x], "backward", module, True) is not None for x in range(k + 1, after[0])):
            z = after[0]
        else:
            continue
        if any(_call_on(body[x], "step", module) is not None or _call_on(body[x], "backward", module, True)
               is not None for x in range(min(z, j) + 1, j) if x != z):
            continue
        step = _Step(z, j, k, optimizer, loss, scaler=scaler)
        if z < j and loss in {n for x in range(z + 1, j) for n in _assigns(body[x])}:
            step.forward = (z + 1, j - 1)
        else:
            assigning = [x for x in range(lower, j) if x != z and loss in _assigns(body[x])]
            if not assigning:
                continue
            last = first = assigning[-1]
            needed = set(_reads(body[last]))
            while first - 1 >= lower and first - 1 != z and isinstance(body[first - 1], cst.SimpleStatementLine):
                candidate = body[first - 1]
                writes = set(_assigns(candidate))
                if not writes & needed or writes & _reads(candidate):
                    break
                first -= 1
                needed |= _reads(candidate)
            step.forward = (first, last)
        first, last = step.forward
        rebound = _rebound(body[first:last + 1], {n for x in range(first, last + 1) for n in _assigns(body[x])})
        computed = _computed_outside(body, first, last, imports)
        if rebound:
            # a nested forward function would make these names local and read them before assignment
            step.refused = (f"the forward statements rebind {rebound} that they also read; "
                            f"write the value_and_grad step by hand")
        elif computed:
            # torch's graph reaches back to where they were computed; value_and_grad differentiates only its function
            step.refused = (f"the forward reads {computed}, computed earlier in this block by a call: MindSpore "
                            f"differentiates only what the forward function computes, so gradients through them "
                            f"would be lost; write the value_and_grad step by hand")
        steps.append(step)
        lower = max(k, z) + 1
    return steps


# calls that only move or reshape data: a value computed by them carries no parameter's graph in
_DATA_METHODS = frozenset({"to", "cuda", "cpu", "float", "double", "half", "long", "int", "view", "reshape",
                           "permute", "squeeze", "unsqueeze", "contiguous", "detach", "clone", "numpy", "item"})
_DATA_FUNCTIONS = frozenset({"len", "int", "float", "range", "min", "max", "abs", "round", "next", "iter",
                             "list", "tuple", "zip", "enumerate"})
# tensors made from data: leaves of any graph, whatever their arguments were computed with
_LEAF_MAKERS = frozenset({"torch.tensor", "torch.from_numpy", "torch.as_tensor", "torch.Tensor",
                          "mindspore.tensor", "mindspore.Tensor"})


_LIBRARIES = frozenset({"torch", "mindspore", "numpy", "msbridge", "math"})


class _Calls(cst.CSTVisitor):
    """Does a statement call something that may hold parameters (a model, a user function)?

    Data-moving methods, a few builtins and library functions (``torch.tensor``) do not.
    """

    def __init__(self, imports):
        self.imports = imports
        self.other = False

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _DATA_METHODS:
            return True
        if isinstance(func, cst.Name) and func.value in _DATA_FUNCTIONS:
            return True
        name = self.imports.resolve(func) or dotted_name(func) or ""
        if name in _LEAF_MAKERS or name.startswith("numpy."):
            return False
        if name.split(".", 1)[0] in _LIBRARIES and "." in name:
            return True
        self.other = True
        return False


def _computed_outside(body, first: int, last: int, imports) -> list[str]:
    """Names the forward statements read that an earlier statement of the block computed with a call
    (``fake = netG(noise)``) or inside a compound statement: their gradient path is outside the forward."""
    free: set[str] = set()
    bound: set[str] = set()
    for stmt in _flat(body[first:last + 1]):
        free |= _reads(stmt) - bound
        bound |= set(_assigns(stmt))
    found: list[str] = []
    for name in sorted(free):
        writer = next((stmt for stmt in reversed(body[:first]) if name in _assigns(stmt)), None)
        if writer is None:
            continue
        if not isinstance(writer, cst.SimpleStatementLine):
            found.append(name)
            continue
        calls = _Calls(imports)
        walk(writer, calls)
        if calls.other:
            found.append(name)
    return found


def _looks_like_optimizer(text: str, known: set[str]) -> bool:
    last = text.rsplit(".", 1)[-1].lower()
    return text in known or "optim" in last or last.startswith("opt")


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


def _flat(statements) -> list:
    """The statements with each ``with`` block opened into its own statements, in order (a ``with`` block
    runs its body once, straight through, like the statements around it)."""
    out: list = []
    for stmt in statements:
        if isinstance(stmt, cst.With) and isinstance(stmt.body, cst.IndentedBlock):
            out.append(cst.SimpleStatementLine(body=[cst.Expr(item.item) for item in stmt.items]))
            out.extend(_flat(stmt.body.body))
        else:
            out.append(stmt)
    return out


def _rebound(statements, assigned: set[str]) -> list[str]:
    """Names the statements assign after (or while) reading an outer binding of them."""
    bound_here: set[str] = set()
    found: list[str] = []
    for stmt in _flat(statements):
        found += sorted((_reads(stmt) & assigned) - bound_here - set(found))
        collector = _Assigned()
        walk(stmt, collector)
        bound_here |= set(collector.names)
    return found


def _mark(stmt, message: str, header=()):
    text = f"# msbridge: {message}"
    if any(line.comment is not None and line.comment.value == text for line in (*header, *stmt.leading_lines)):
        return stmt
    return stmt.with_changes(leading_lines=[*stmt.leading_lines, cst.EmptyLine(indent=True, comment=cst.Comment(text))])


def _optimizer_names(scan) -> set[str]:
    """Names the file binds to a torch optimizer (``opt = torch.optim.SGD(...)``)."""
    names = set()
    for text, value in scan.assigned.items():
        if isinstance(value, ast.Call):
            func = scan.imports.qualify(ast.unparse(value.func)) if isinstance(value.func, (ast.Name, ast.Attribute)) else None
            if func and func.startswith("torch.optim.") and "lr_scheduler" not in func:
                names.add(text)
    return names

