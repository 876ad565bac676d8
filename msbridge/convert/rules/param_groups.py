"""Optimizer parameters across the frameworks: parameter-group keys and weight decay.

Group keys. torch keeps unknown keys of a parameter group silently, so a MindSpore
group ``{'params': p, 'grad_centralization': True}`` would run in torch WITHOUT
gradient centralization and nobody would notice. MindSpore groups accept only
``params``, ``lr``, ``weight_decay``, ``grad_centralization`` and ``order_params``
(Optimizer.md). ``{'order_params': ...}`` only fixes the order of MindSpore's
parameter tuple; torch has no such thing (and raises KeyError 'params' on it), so
the entry is dropped. A group ``lr`` may be a per-step list in MindSpore, which a
torch group cannot hold. Such keys are reported for review.

Weight decay (measured on MindSpore 2.10 / torch 2.13, tests/convert/test_convert_training.py):
a MindSpore ``nn`` optimizer given a FLAT parameter list does not decay parameters
whose names contain ``gamma`` or ``beta`` (norm layers); given parameter GROUPS it
decays every parameter of a group; torch decays every parameter. So, when the
weight decay may be non-zero:

* to MindSpore, a flat ``model.parameters()`` becomes one group
  ``[{'params': model.trainable_params()}]`` (decays everything, as torch did);
* to torch, a flat ``net.trainable_params()`` becomes
  ``mindspore_decay_groups(net)``: the parameters MindSpore decays, plus a group of
  the gamma/beta ones with ``weight_decay=0.0``.

Any other flat form (a name, a comprehension) is reported for review.
"""
from __future__ import annotations

import ast

import libcst as cst

from msbridge.convert.arguments import bind
from msbridge.convert.walk import walk

MINDSPORE_KEYS = ("params", "lr", "weight_decay", "grad_centralization", "order_params")
TORCH_SAFE = ("params", "lr", "weight_decay")
DECAY_GROUPS = "msbridge.bridge.weight_decay.mindspore_decay_groups"
LR_VIEWS = "msbridge.bridge.param_groups.param_groups"
_FLAT_METHODS = {"mindspore": ("trainable_params", "get_parameters"), "torch": ("parameters",)}


def _dict_keys(node: cst.Dict) -> set[str]:
    return {item.key.evaluated_value for item in node.elements
            if isinstance(item, cst.DictElement) and isinstance(item.key, cst.SimpleString)}


def group_keys(params: cst.BaseExpression) -> set[str]:
    """String keys of the dict literals inside a list/tuple literal (the groups)."""
    keys: set[str] = set()
    if not isinstance(params, (cst.List, cst.Tuple)):
        return keys
    for element in params.elements:
        if isinstance(element.value, cst.Dict):
            keys |= _dict_keys(element.value)
    return keys


def problems(params: cst.BaseExpression, target: str) -> list[str]:
    keys = group_keys(params)
    if target == "torch":
        lost = sorted(keys & {"grad_centralization"})
        out = [f"parameter-group key(s) {lost} have no torch meaning (torch would ignore them silently)"] if lost else []
        if "lr" in keys:
            out.append("a group 'lr' must be a number in torch; a per-step MindSpore list there is not bridged")
        return out
    unknown = sorted(keys - set(MINDSPORE_KEYS))
    return [f"parameter-group key(s) {unknown} are not accepted by MindSpore optimizer groups"] if unknown else []


def drop_order_params(params: cst.BaseExpression) -> cst.BaseExpression:
    """``[g1, {'order_params': p}]`` -> ``[g1]`` (to torch: the entry only orders MindSpore's tuple)."""
    if not isinstance(params, (cst.List, cst.Tuple)):
        return params
    kept = [e for e in params.elements if not (isinstance(e.value, cst.Dict) and _dict_keys(e.value) == {"order_params"})]
    if len(kept) == len(params.elements) or not kept:
        return params
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return params.with_changes(elements=kept)


def _is_groups_literal(node) -> bool:
    return isinstance(node, (cst.List, cst.Tuple)) and bool(node.elements) and all(
        isinstance(e.value, cst.Dict) for e in node.elements)


def _name_holds_groups(rewriter, node) -> bool | None:
    """A name assigned a list of dicts (True), something else known (False), or unknown (None)."""
    if not isinstance(node, cst.Name):
        return None
    value = rewriter.scan.value_of(node.value)
    if isinstance(value, (ast.List, ast.Tuple)) and value.elts:
        return all(isinstance(e, ast.Dict) for e in value.elts)
    return None


def _flat_receiver(node, source: str) -> cst.BaseExpression | None:
    """``X.trainable_params()`` (or torch ``X.parameters()``) -> X."""
    if (isinstance(node, cst.Call) and not node.args and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in _FLAT_METHODS[source]):
        return node.func.value
    return None


def _flat_receiver_ast(node, source: str) -> str | None:
    if (isinstance(node, ast.Call) and not node.args and not node.keywords and isinstance(node.func, ast.Attribute)
            and node.func.attr in _FLAT_METHODS[source]):
        return ast.unparse(node.func.value)
    return None


def _decay_may_be_nonzero(bound, ref) -> bool:
    arg = bound.get("weight_decay")
    if arg is None:
        param = ref.param("weight_decay")
        default = None if param is None else param.default
        return isinstance(default, (int, float)) and default != 0
    try:
        return ast.literal_eval(arg.text) != 0
    except (ValueError, SyntaxError):
        return True


def optimizer_params(rewriter, row, original: cst.Call, args: list[cst.Arg]):
    """The target optimizer call's arguments with parameters that decay like the source's.

    Returns (args, problems, notes).
    """
    source, target = rewriter.source, rewriter.target
    src_ref = row.side(source)
    bound = bind(original, src_ref, rewriter.code_of)
    index = next((i for i, a in enumerate(args) if (a.keyword is None and i == 0)
                  or (a.keyword is not None and a.keyword.value == "params")), None)
    if bound is None or "params" not in bound or index is None:
        return args, [], []
    source_params = bound["params"].arg.value
    new_value = args[index].value
    found, notes = problems(new_value, target), []
    if target == "torch":
        dropped = drop_order_params(new_value)
        if dropped is not new_value:
            notes.append("{'order_params': ...} dropped (it only orders MindSpore's parameter tuple)")
            new_value = dropped
    if _decay_may_be_nonzero(bound, src_ref) and not _is_groups_literal(source_params):
        holds_groups = _name_holds_groups(rewriter, source_params)
        receiver = _flat_receiver(source_params, source)
        if receiver is None and isinstance(source_params, cst.Name):   # params = net.trainable_params()
            receiver = _flat_receiver_ast(rewriter.scan.value_of(source_params.value), source)
            if receiver is not None and target == "torch":
                receiver = cst.parse_expression(receiver)
        folded = rewriter.imports.resolve(source_params.func) if isinstance(source_params, cst.Call) else None
        if holds_groups:
            pass   # groups decay every parameter on both sides
        elif target == "mindspore" and folded == DECAY_GROUPS:
            pass   # already MindSpore's rule: folded back to a flat list by fold()
        elif target == "torch" and receiver is not None:
            helper = rewriter.needs.reference(DECAY_GROUPS)
            new_value = cst.Call(func=helper, args=[cst.Arg(receiver)])
            notes.append("weight decay skips gamma/beta parameters as MindSpore's flat list does "
                         "(msbridge.bridge.weight_decay)")
        elif target == "mindspore" and (receiver is not None or _is_filter_of_parameters(source_params)):
            new_value = cst.parse_expression(f"[{{'params': {rewriter.code_of(new_value)}}}]")
            notes.append("one parameter group, so MindSpore decays gamma/beta parameters too, as torch does")
        else:
            what = ("MindSpore does not decay parameters named gamma/beta in a flat list; torch decays all"
                    if target == "torch" else
                    "torch decays every parameter; MindSpore skips those named gamma/beta in a flat list")
            found.append(f"weight decay: {what}: pass the parameters as `net.trainable_params()`/"
                         f"`model.parameters()` or as groups so msbridge can keep the same set")
    if new_value is not args[index].value:
        args = list(args)
        args[index] = args[index].with_changes(value=new_value)
    return args, found, notes


def _is_filter_of_parameters(node) -> bool:
    """``filter(f, model.parameters())``: a flat iterable of torch parameters."""
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "filter"
            and len(node.args) == 2 and _flat_receiver(node.args[1].value, "torch") is not None)


def fold(rewriter, name: str | None, call: cst.Call):
    """Runtime helpers of an earlier conversion back to native code: to MindSpore,
    ``mindspore_decay_groups(net)`` -> ``net.trainable_params()`` (MindSpore's own rule);
    to torch, ``param_groups(opt)`` -> ``opt.param_groups``."""
    if len(call.args) != 1:
        return None
    if rewriter.target == "mindspore" and name == DECAY_GROUPS:
        rewriter.record(call, name, "converted", ".trainable_params()", "MindSpore's own weight-decay rule")
        return cst.Call(func=cst.Attribute(value=call.args[0].value, attr=cst.Name("trainable_params")))
    if rewriter.target == "torch" and name == LR_VIEWS:
        rewriter.record(call, name, "converted", ".param_groups", "torch's own parameter groups")
        return cst.Attribute(value=call.args[0].value, attr=cst.Name("param_groups"))
    return None


def twin_params(rewriter, rows, original: cst.Call, updated: cst.Call):
    """A MindSpore optimizer running as msbridge's twin on torch gets the same decay groups.

    The twin (``msbridge.mindspore.nn.*``) follows MindSpore's group semantics but cannot see
    MindSpore names on torch parameters, so a flat list would decay gamma/beta too.
    Returns (args, problems).
    """
    if rewriter.target != "torch" or not rows or "params" not in rows[0].side(rewriter.source).names:
        return updated.args, []
    args, found, _ = optimizer_params(rewriter, rows[0], original, list(updated.args))
    return args, found



def _is_param_groups(node) -> bool:
    return isinstance(node, cst.Attribute) and node.attr.value == "param_groups"


def _lr_key(node) -> bool:
    """``[...]['lr']``'s slice."""
    return (len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index)
            and isinstance(node.slice[0].slice.value, cst.SimpleString)
            and node.slice[0].slice.value.evaluated_value == "lr")


class _LrSubscripts(cst.CSTVisitor):
    """``X.param_groups[i]['lr']`` attributes, and whether a name is used other than as ``name['lr']``."""

    def __init__(self, name: str | None = None):
        self.name, self.found, self.lr_uses, self.uses = name, [], 0, 0

    def visit_Subscript(self, node):
        if _lr_key(node):
            inner = node.value
            if isinstance(inner, cst.Subscript) and _is_param_groups(inner.value):
                self.found.append(inner.value)
            if isinstance(inner, cst.Name) and inner.value == self.name:
                self.lr_uses += 1

    def visit_Name(self, node):
        if node.value == self.name:
            self.uses += 1


def lr_views(body) -> list:
    """``X.param_groups`` attributes of this block used for their groups' ``'lr'`` only:
    ``for g in X.param_groups:`` with ``g['lr']`` its only use, or ``X.param_groups[i]['lr']``."""
    found = []
    for stmt in body:
        if isinstance(stmt, cst.For) and _is_param_groups(stmt.iter) and isinstance(stmt.target, cst.Name):
            uses = _LrSubscripts(stmt.target.value)
            walk(stmt.body, uses)
            if uses.lr_uses and uses.lr_uses == uses.uses:
                found.append(stmt.iter)
        elif isinstance(stmt, cst.SimpleStatementLine):
            subscripts = _LrSubscripts()
            walk(stmt, subscripts)
            found += subscripts.found
    return found
