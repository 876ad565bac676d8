"""msbridge's twin of a TARGET API in a file being converted (a file an earlier conversion wrote) -> the native API.

``msbridge.torch.nn.functional.normalize(x)`` in a MindSpore file converted to torch is ``torch.nn.functional.
normalize(x)``: the twin only existed because the earlier conversion needed it. Stripping ``msbridge.`` is right
only where torch (or MindSpore) has the same name, and many twins have none. Before, such calls became names that
do not exist and were reported converted: ``torch.tensor_methods.max(y, dim=1)``,
``torch.nn.module_parameters.named_parameters(model)``, ``torch.layer_params.has_param(m, "weight")``,
``mindspore.autograd.value_and_grad``. Now:

* twins that stand for a method, an attribute or a builtin are written as one again (``NATIVE_FORMS``):
  ``named_parameters(model)`` -> ``model.named_parameters()``, ``has_param(m, "weight")`` -> ``hasattr(m, "weight")``;
* any other twin takes its shortest public spelling in msbridge (``msbridge.mindspore.nn.layers.conv.Conv2d`` is
  ``msbridge.mindspore.nn.Conv2d``: ``mindspore.nn.Conv2d``) outside the modules that only msbridge has
  (``TWIN_ONLY_MODULES``; tests/convert/test_twin_natives.py checks the list against both real frameworks);
* a twin with neither (``msbridge.torch.grads.clip_grad_norm`` clips a tuple of gradients: torch clips
  parameters' ``.grad`` in place) is ``review``, never a made-up name.
"""
from __future__ import annotations

import ast
import functools

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.catalog import PACKAGE_DIR, runtime_exists

_TENSOR_METHODS = "msbridge.torch.tensor_methods."
# twin -> (form, native): "method" (receiver first), "attribute" (its one argument's), "builtin" (same arguments),
# "identity" (its one argument itself)
NATIVE_FORMS = {
    "msbridge.torch.nn.module_parameters.module_parameters": ("method", "parameters"),
    "msbridge.torch.nn.module_parameters.named_parameters": ("method", "named_parameters"),
    "msbridge.torch.nn.module_mode.module_train": ("method", "train"),
    "msbridge.torch.nn.module_mode.module_eval": ("method", "eval"),
    "msbridge.torch.layer_params.has_param": ("builtin", "hasattr"),
    "msbridge.torch.layer_params.param": ("builtin", "getattr"),
    f"{_TENSOR_METHODS}is_cuda": ("attribute", "is_cuda"),
    f"{_TENSOR_METHODS}formattable": ("identity", ""),   # a torch tensor takes a format spec itself
    # exported by msbridge where the real framework has them one module deeper
    "msbridge.mindspore.nn.LearningRateSchedule": ("name", "mindspore.nn.learning_rate_schedule.LearningRateSchedule"),
    "msbridge.mindspore.train.get_metrics": ("name", "mindspore.train.metrics.get_metrics"),
}
# msbridge's own helpers exported next to twins: the real framework has no such name (torch's ProcessException
# lives in torch.multiprocessing.spawn, which torch.multiprocessing's spawn() function shadows)
NO_NAMESAKE = frozenset({"msbridge.mindspore.communication.reduce_gradients",
                         "msbridge.torch.optim.lr_scheduler.param_groups",
                         "msbridge.torch.multiprocessing.ProcessException"})
# msbridge modules with no namesake that a program reaches in the framework they imitate (measured against torch
# 2.13 and MindSpore 2.10)
TWIN_ONLY_MODULES = frozenset({
    "msbridge.torch.distributed.backend",
    "msbridge.torch.generator", "msbridge.torch.grad_mode", "msbridge.torch.grads",
    "msbridge.torch.layer_params", "msbridge.torch.legacy_tensors", "msbridge.torch.nn.activation",
    "msbridge.torch.nn.batchnorm", "msbridge.torch.nn.conv", "msbridge.torch.nn.dropout",
    "msbridge.torch.nn.functional_more", "msbridge.torch.nn.instancenorm", "msbridge.torch.nn.layer_checks",
    "msbridge.torch.nn.module_mode",
    "msbridge.torch.nn.module_parameters", "msbridge.torch.nn.normalization", "msbridge.torch.nn.upsample",
    "msbridge.torch.size", "msbridge.torch.type_info",
    "msbridge.torch.optim.lr_scheduler.adapter", "msbridge.torch.optim.lr_scheduler.base",
    "msbridge.torch.optim.lr_scheduler.chained", "msbridge.torch.optim.lr_scheduler.composite_state",
    "msbridge.torch.optim.lr_scheduler.cosine", "msbridge.torch.optim.lr_scheduler.cyclic",
    "msbridge.torch.optim.lr_scheduler.decay", "msbridge.torch.optim.lr_scheduler.lambda_lr",
    "msbridge.torch.optim.lr_scheduler.momentum", "msbridge.torch.optim.lr_scheduler.one_cycle",
    "msbridge.torch.optim.lr_scheduler.plateau", "msbridge.torch.optim.lr_scheduler.sequential",
    "msbridge.torch.optim.lr_scheduler.step", "msbridge.torch.optim.lr_scheduler.warmup",
    # torch.optim's __init__ deletes these module names: `torch.optim.adam.Adam` is AttributeError
    "msbridge.torch.optim.adam", "msbridge.torch.optim.adamw", "msbridge.torch.optim.optimizer",
    "msbridge.torch.optim.sgd",
    "msbridge.torch.tensor_attrs", "msbridge.torch.tensor_methods", "msbridge.torch.tensor_ops",
    "msbridge.torch.tensor_scatter", "msbridge.torch.utils.data.collate",
    "msbridge.mindspore.autograd", "msbridge.mindspore.communication.reduce", "msbridge.mindspore.dataset.pipeline",
    "msbridge.mindspore.dataset.sources", "msbridge.mindspore.jit_decorator", "msbridge.mindspore.nn.layers",
    "msbridge.mindspore.nn.layers.activation", "msbridge.mindspore.nn.layers.container",
    "msbridge.mindspore.nn.layers.conv", "msbridge.mindspore.nn.layers.conv_args",
    "msbridge.mindspore.nn.layers.dense", "msbridge.mindspore.nn.layers.normalization",
    "msbridge.mindspore.nn.layers.padding", "msbridge.mindspore.nn.layers.pooling",
    "msbridge.mindspore.nn.layers.pooling_args", "msbridge.mindspore.nn.layers.validator",
    "msbridge.mindspore.nn.optim.adam_weight_decay", "msbridge.mindspore.nn.optim.learning_rate",
    "msbridge.mindspore.ops.graph_plumbing",
    "msbridge.mindspore.ops.scalar_operands", "msbridge.mindspore.parallel_context",
    "msbridge.mindspore.parameter_tuple", "msbridge.mindspore.train.checkpoint", "msbridge.mindspore.train.monitors",
    "msbridge.mindspore.train.step",
})


def native_form(twin: str) -> tuple[str, str] | None:
    """(form, native) of msbridge's ``twin``: see ``NATIVE_FORMS``; ("name", native API) for a namesake; None when
    the target framework has no such name."""
    if twin in NATIVE_FORMS:
        return NATIVE_FORMS[twin]
    if twin in NO_NAMESAKE:
        return None
    if twin.startswith(_TENSOR_METHODS) and twin[len(_TENSOR_METHODS):] in _tensor_method_twins():
        return "method", twin[len(_TENSOR_METHODS):]   # torch's Tensor method of that name, receiver first
    parts = twin.split(".")
    for cut in range(2, len(parts)):   # shortest spelling first: msbridge.torch.X, msbridge.torch.nn.X, ...
        spelled = ".".join(parts[:cut] + parts[-1:])
        module = ".".join(parts[:cut])
        if module in TWIN_ONLY_MODULES or any(part.startswith("_") for part in parts[2:cut]) \
                or not runtime_exists(spelled):
            continue   # msbridge's own module (``optim._native``): no namesake there
        if spelled in NATIVE_FORMS or spelled in NO_NAMESAKE:
            return native_form(spelled)
        return "name", spelled.split(".", 1)[1]
    return None


@functools.lru_cache(maxsize=1)
def _tensor_method_twins() -> frozenset[str]:
    """``__all__`` of msbridge.torch.tensor_methods, read with ``ast`` (importing it would import MindSpore)."""
    tree = ast.parse((PACKAGE_DIR / "torch" / "tensor_methods.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return frozenset(ast.literal_eval(node.value))
    return frozenset()


def _atom(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` as a method's receiver: parenthesised unless it already binds tighter than ``.``."""
    if isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) or node.lpar:
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


NO_FORM = "msbridge's twin has no {target} namesake"


def call(rw, name: str, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
    """The native form of a call of twin ``name`` (recorded), or the call kept and marked ``review``."""
    return _apply(rw, name, native_form(name), original, updated, NO_FORM)


def reference(rw, name: str, original, updated) -> cst.BaseExpression:
    """Twin ``name`` named, not called (a base class, a value): its native namesake, or kept and marked ``review``."""
    form = native_form(name)
    if form is None or form[0] != "name":
        rw.record(original, name, rpt.REVIEW, None, _why(rw, NO_FORM))
        return updated
    rw.record(original, name, rpt.CONVERTED, form[1])
    return rw.needs.reference(form[1])


def _why(rw, missing: str) -> str:
    return f"{missing.format(target=rw.target, source=rw.source)}: write what it does in {rw.target} by hand"


# msbridge.bridge modules that import a framework at the top (tests/convert/test_twin_natives.py reads them all):
# a converted file calling them cannot run without that framework
BRIDGE_NEEDS = {
    "torch": frozenset({"msbridge.bridge.apply_gradients", "msbridge.bridge.labels_torch", "msbridge.bridge.layer_init",
                        "msbridge.bridge.mindspore_lr", "msbridge.bridge.weight_decay"}),
    "mindspore": frozenset({"msbridge.bridge.labels_mindspore", "msbridge.bridge.param_groups"}),
}
# what such a helper is, written in the framework it stands in for
BRIDGE_FORMS = {
    "msbridge.bridge.apply_gradients.apply_gradients": ("call", ""),           # optimizer(grads)
    "msbridge.bridge.param_groups.param_groups": ("attribute", "param_groups"),   # optimizer.param_groups
}


def bridge_call(rw, name: str, original: cst.Call, updated: cst.Call) -> cst.BaseExpression | None:
    """A call of msbridge's helper ``name`` that needs the framework being converted away from (a file an earlier
    conversion wrote, converted back): its native form, or ``review``; None for a helper that runs on both."""
    if name.rpartition(".")[0] not in BRIDGE_NEEDS[rw.source]:
        return None
    return _apply(rw, name, BRIDGE_FORMS.get(name), original, updated,
                  "msbridge's helper runs on {source} only and has no {target} form here")


def _apply(rw, name: str, form, original: cst.Call, updated: cst.Call, missing: str) -> cst.BaseExpression:
    args = list(updated.args)
    receiver_first = form is not None and form[0] in ("method", "attribute", "call", "identity")
    if form is None or (receiver_first and (not args or args[0].keyword is not None or args[0].star)) \
            or (form[0] in ("attribute", "identity") and len(args) != 1):
        rw.record(original, name, rpt.REVIEW, None, _why(rw, missing))
        return updated
    kind, native = form
    rw.record(original, name, rpt.CONVERTED, native or f"{rw.code_of(args[0].value)}(...)",
              "msbridge runtime twin -> native")
    if kind == "name":
        return updated.with_changes(func=rw.needs.reference(native))
    if kind == "builtin":
        return updated.with_changes(func=cst.Name(native))
    if kind == "identity":
        return args[0].value
    receiver = _atom(args[0].value)
    if kind == "attribute":
        return cst.Attribute(value=receiver, attr=cst.Name(native))
    rest = args[1:]
    if rest:
        rest[-1] = rest[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    func = receiver if kind == "call" else cst.Attribute(value=receiver, attr=cst.Name(native))
    return updated.with_changes(func=func, args=rest)
