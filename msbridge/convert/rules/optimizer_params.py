"""``optimizer.parameters`` of a MindSpore optimizer, read as a value (MindSpore -> torch).

MindSpore's optimizers keep the parameters they update in ``.parameters`` (a ParameterTuple); cyclegan passes
it on (``DistributedGradReducer(optimizer.parameters, ...)``, ``len(opt.parameters)``). The converted optimizer
is torch's, which has no such attribute (AttributeError), yet the read was left as written and unreported.
Where the receiver is a name the file binds to a MindSpore optimizer it becomes the same parameters, in the
same order, from torch's groups (the trainable ones: MindSpore's optimizer was given ``trainable_params()``). (``value_and_grad(fn, None, opt.parameters)`` is rewritten whole by
``rules.gradients``; the call ``module.parameters()`` is a method call, not this attribute.)
"""
from __future__ import annotations

import ast
import re

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import SOURCE
from msbridge.convert.rules.layer_attrs import layer_class

API = "mindspore.nn.Optimizer.parameters"
# the converted optimizer was given every parameter (torch's step skips those without a gradient), MindSpore's
# only the trainable ones: those are what MindSpore's `.parameters` holds (unless frozen after construction)
TEMPLATE = "[p for group in {}.param_groups for p in group['params'] if p.requires_grad]"


_CONVERTED = re.compile(re.escape(TEMPLATE).replace(re.escape("{}"), r"[\w.]+"))


def step_weights(call: cst.Call, code_of) -> bool:
    """``value_and_grad(fn, None, opt.parameters)``, or its output's ``[p for group in opt.param_groups ...]``: the
    gradient function of a training step, which ``rules.train_step`` rewrites or marks (never the twin)."""
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    weights = positional[2] if len(positional) > 2 else next(
        (a.value for a in call.args if a.keyword is not None and a.keyword.value == "weights"), None)
    if weights is None:
        return False
    if isinstance(weights, cst.Attribute) and weights.attr.value == "parameters":
        return True
    return _CONVERTED.fullmatch(code_of(weights)) is not None


def builds_optimizer(rw, name: str | None) -> bool:
    """Whether ``name`` (qualified) is a source-framework optimizer class: a table row ``optim.*``."""
    return bool(name) and rw.is_source(name) and any(row.id.startswith("optim.")
                                                     for row in rw.catalog.rows(name, rw.source))


def optimizer_names(rw) -> set[str]:
    """Texts the file assigns a MindSpore optimizer to (``opt``, ``self.optimizer``), from the first scan."""
    return {text for text, value in rw.scan.assigned.items()
            if isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute))
            and builds_optimizer(rw, rw.scan.imports.qualify(ast.unparse(value.func)))}


def keeps_parameters(rw, receiver: cst.BaseExpression) -> bool:
    """The optimizer ``receiver`` is built by msbridge's MindSpore-shaped twin (``msbridge.mindspore.nn.Adam``: an
    approximate row keeps the exact twin), which has MindSpore's ``.parameters`` and takes ``opt(grads)``."""
    built = layer_class(rw, receiver) if rw.bindings is not None else None
    return built is not None and built.startswith("msbridge.mindspore.")


def attribute(rw, original: cst.Attribute, updated: cst.Attribute):
    """The list of the optimizer's parameters for ``opt.parameters`` read as a value, else None."""
    if rw.target != "torch" or original.attr.value != "parameters" or id(original) in rw.called_funcs:
        return None
    if rw.optimizer_names is None:
        rw.optimizer_names = optimizer_names(rw)
    receiver = rw.code_of(original.value)
    if receiver not in rw.optimizer_names:
        return None
    consumer = rw.consumer_of.get(id(original))
    if consumer is not None and rw._consumer_kind(consumer) == SOURCE:   # handed to what stays MindSpore
        return None
    if keeps_parameters(rw, original.value):   # the twin has .parameters, torch's optimizers have groups
        return None
    rw.record(original, API, rpt.CONVERTED, "torch.optim.Optimizer.param_groups",
              "the trainable parameters of every group, in order")
    return cst.parse_expression(TEMPLATE.format(rw.code_of(updated.value)))
