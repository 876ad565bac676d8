"""Tensor methods whose namesakes on the other framework differ, both directions.

MindSpore -> torch:

``x.transpose(0, 2, 1)`` (a permutation; torch's transpose swaps exactly two axes),
``x.expand_dims(1)`` and ``x.astype(t)`` (no such torch methods), ``x.mean(1, keep_dims=True)`` and
``x.split(s, axis=1)`` (MindSpore's keyword names). The receiver is rarely known: a MindSpore tensor
(a torch tensor once converted) and a numpy array read alike. The call becomes
``msbridge.bridge.tensor_methods.<name>(x, ...)``, which dispatches at run time: MindSpore's meaning
in torch terms for a torch tensor, the receiver's own method for anything else. Calls already the
same in torch (``x.transpose(1, 0)``, ``x.mean(1, True)``) are left alone, and so are receivers that
are modules, ``self``, known non-framework objects, or objects whose class defines the method.
``x.max(axis=1)``/``x.min(axis=1)`` (MindSpore: the values only; torch: (values, indices)) and
``x.std()``/``x.var()`` (MindSpore: biased by default; torch: unbiased) go the same way, and so does
``x.view(*shape)`` (MindSpore's reshapes a non-contiguous tensor, ``x.permute(...).view(...)``; torch's raises).

torch -> MindSpore (measured on MindSpore 2.10's CPU backend; msbridge/torch/tensor_methods.py says how each
differs): ``x.size()``/``x.size(d)``, ``softmax(dim=)``, ``log_softmax``, ``max(dim)``/``min(dim)`` and
``topk``/``sort`` (``.values``/``.indices``, int64 indices), ``argmin``/``argsort``, ``flip``, ``diag``,
``norm(p, dim)``, ``new_zeros``/``new_ones``/``new_full``/``new_tensor``, ``squeeze(dim=)``, ``repeat``, ``clone``,
``std``/``var``, ``median``, ``scatter``/``scatter_add``, the in-place fills ``zero_``/``fill_``/``normal_``/
``uniform_``, and the in-place arithmetic ``add_``/``sub_``/``mul_``/``div_``/``exp_``/... written as a whole statement
(MindSpore 2.10 returns the value and leaves the receiver unchanged), ``type`` (legacy tensor classes) become
``msbridge.torch.tensor_methods.<name>(x, ...)``, torch's meaning on a MindSpore tensor and the receiver's own
method on anything else. Calls already the same on MindSpore (``x.softmax(1)``, ``x.max()``) are left alone.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import OTHER, SOURCE, TARGET

TWINS = {"torch": "msbridge.bridge.tensor_methods", "mindspore": "msbridge.torch.tensor_methods"}


def _two_ints(call: cst.Call) -> bool:
    args = call.args
    return len(args) == 2 and all(a.keyword is None and not a.star for a in args) and all(
        isinstance(a.value, cst.Integer) or (isinstance(a.value, cst.UnaryOperation)
                                             and isinstance(a.value.expression, cst.Integer)) for a in args)


def _keyword(call: cst.Call, name: str) -> bool:
    return any(a.keyword is not None and a.keyword.value == name for a in call.args)


def _any_keyword(*names):
    return lambda call: any(_keyword(call, name) for name in names)


def _always(call: cst.Call) -> bool:
    return True


_FACTORY = ("dtype", "device", "requires_grad", "layout", "pin_memory")
_SPREAD = ("dim", "unbiased", "keepdim", "correction")


def _torch_call(*keywords):
    """A call with no keyword torch's method lacks: ``names.sort(key=len)`` or ``a.repeat(2, axis=0)`` (a list's,
    numpy's) is not a torch tensor call and stays as written."""
    allowed = frozenset(keywords)
    return lambda call: all(a.keyword is None or a.keyword.value in allowed for a in call.args)


def _on_data(call: cst.Call) -> bool:
    """``p.data.set_data(...)``: a method called on a ``.data`` read."""
    receiver = call.func.value
    return isinstance(receiver, cst.Attribute) and receiver.attr.value == "data"


def _not_one_positional(call: cst.Call) -> bool:
    """``x.softmax(1)`` computes the same on MindSpore; ``softmax(dim=1)`` or ``softmax(1, dtype=t)`` does not."""
    return not (len(call.args) == 1 and call.args[0].keyword is None and not call.args[0].star)


# target -> method -> whether a call of it needs the twin (the others compute the same on the target)
NEEDS_TWIN = {
    "torch": {
        "transpose": lambda call: not _two_ints(call) and not any(a.star for a in call.args),
        "expand_dims": _always,
        "astype": _always,
        "mean": _any_keyword("keep_dims"),
        "split": _any_keyword("axis"),
        "max": _any_keyword("axis", "keepdims", "initial", "where", "return_indices"),
        "min": _any_keyword("axis", "keepdims", "initial", "where", "return_indices"),
        "std": _always,
        "var": _always,
        # Parameter data replaced (measured: shape may change, cast to the parameter's dtype); not on `p.data`: MARKED
        "set_data": lambda call: not _on_data(call),
        "assign_value": _always,
        "init_data": _always,
        # MindSpore's view(*shape) reshapes a non-contiguous tensor too (a copy, measured on 2.10); torch's raises
        "view": lambda call: bool(call.args) and all(a.keyword is None for a in call.args),
    },
    "mindspore": {
        "size": _torch_call("dim"), "log_softmax": _torch_call("dim", "dtype"), "argmin": _torch_call("dim", "keepdim"),
        "argsort": _torch_call("dim", "descending", "stable"), "flip": _torch_call("dims"),
        "diag": _torch_call("diagonal"), "clone": _torch_call("memory_format"),
        "topk": _torch_call("k", "dim", "largest", "sorted"), "sort": _torch_call("dim", "descending", "stable"),
        "new_zeros": _torch_call(*_FACTORY), "new_ones": _torch_call(*_FACTORY),
        "new_full": _torch_call("size", "fill_value", *_FACTORY), "new_tensor": _torch_call("data", *_FACTORY),
        "repeat": _torch_call(), "std": _torch_call(*_SPREAD), "var": _torch_call(*_SPREAD),
        "softmax": lambda call: _not_one_positional(call) and _torch_call("dim", "dtype")(call),
        "max": lambda call: bool(call.args) and _torch_call("dim", "keepdim", "other")(call),
        "min": lambda call: bool(call.args) and _torch_call("dim", "keepdim", "other")(call),
        "norm": lambda call: bool(call.args) and _torch_call("p", "dim", "keepdim", "dtype")(call),
        "squeeze": lambda call: _keyword(call, "dim") and _torch_call("dim")(call),
        "nonzero": lambda call: _keyword(call, "as_tuple") and _torch_call("as_tuple")(call),
        "median": _torch_call("dim", "keepdim"),
        # three or more arguments: a list's/str's scatter does not exist; MindSpore 2.10's CPU kernel fails (measured)
        "scatter": lambda call: len(call.args) >= 3 and _torch_call("dim", "index", "src", "value", "reduce")(call),
        "scatter_add": lambda call: len(call.args) == 3 and _torch_call("dim", "index", "src")(call),
        # in-place fills without a CPU kernel on MindSpore 2.10 (weight-init loops: m.weight.data.normal_(0, s))
        "zero_": lambda call: not call.args, "fill_": lambda call: len(call.args) == 1 and _torch_call()(call),
        "normal_": _torch_call("mean", "std", "generator"), "uniform_": _torch_call("to", "generator"),
        # `x.type(torch.FloatTensor)`: MindSpore's Tensor.type takes a MindSpore dtype only (measured)
        "type": lambda call: len(call.args) <= 2 and _torch_call("dtype", "non_blocking")(call),
    },
}

# target -> in-place method -> whether a call of it needs the twin when it is a whole statement. MindSpore 2.10 computes
# these and returns the value without writing the receiver (measured, msbridge/torch/tensor_methods.py): a used result
# is right (and differentiable), a bare statement (`mean.div_(n)`) did nothing.
UNWRITTEN_IN_PLACE = {
    "torch": {},
    "mindspore": {"add_": _torch_call("alpha"), "sub_": _torch_call("alpha"), "mul_": _torch_call(),
                  "div_": _torch_call("rounding_mode"), "exp_": lambda call: not call.args,
                  "floor_divide_": _torch_call(), "remainder_": _torch_call()},
}

# target -> method -> (whether a call differs, why): no twin computes the source's result, so the call is marked
MARKED = {
    "torch": {
        # fsrcnn (mindediting): `m.weight.data.set_data(initializer(...))`; the twin wrote torch's detached `.data`
        # and left the parameter unchanged, silently
        "set_data": (_on_data, "MindSpore 2.10's Parameter.data is a Tensor, which has no set_data (AttributeError, "
                               "measured; MindSpore 1.x returned the Parameter), and torch's .data is a detached "
                               "tensor, so writing it would not change the parameter: call set_data on the Parameter "
                               "itself (p.set_data(...))"),
    },
    "mindspore": {
        "round": (_any_keyword("decimals"), "MindSpore 2.10's Tensor.round refuses decimals other than 0 (measured): "
                                            "round by hand, e.g. (x * 10**d).round() / 10**d (rounding may differ)"),
        "unsqueeze_": (_always, "MindSpore tensors have no in-place unsqueeze_: write x = x.unsqueeze(d)"),
        "squeeze_": (_always, "MindSpore tensors have no in-place squeeze_: write x = x.squeeze(...)"),
        "scatter_": (lambda call: len(call.args) >= 3, "MindSpore 2.10's in-place scatter_ has no CPU kernel "
                                                       "('InplaceScatterValue unregistered', measured): write "
                                                       "x = x.scatter(...)"),
        **{m: (_always, f"MindSpore 2.10's Tensor.{m} has no CPU kernel or does not exist (measured): draw the "
                        f"values with mindspore.ops and write them with x.copy_(...)")
           for m in ("exponential_", "bernoulli_", "random_", "log_normal_", "cauchy_", "geometric_")},
    },
}


# target -> tensor attributes (not called) whose meaning differs, or that the target's tensor lacks -> why; each is
# read through ``<TWINS[target]>.<attr>(x)``, which reads the receiver's own attribute on anything else.
# MindSpore 2.10's ``Tensor.size`` is the element count (an int, as numpy's); torch's ``size`` is a method, so
# ``a.size != b.size`` compares two bound methods and ``n * x.size`` fails (measured). Old GAN code picks its tensor
# type with ``torch.cuda.FloatTensor if x.is_cuda else torch.FloatTensor``.
ATTRIBUTE_TWINS = {
    "torch": {"size": "MindSpore's Tensor.size (the element count) on a torch tensor, the receiver's own size "
                      "otherwise"},
    "mindspore": {"is_cuda": "MindSpore tensors have no is_cuda: True only on the GPU device target, where MindSpore "
                             "places every tensor"}}
ATTRIBUTE_WRITTEN = ("read through msbridge's run-time twin ({twin}), and this statement binds it (a call cannot "
                     "be bound): port it by hand")


def twin_methods(target: str) -> frozenset[str]:
    """Method and attribute names this rule rewrites or marks (statements holding one are worth visiting)."""
    return frozenset(NEEDS_TWIN[target]) | frozenset(MARKED[target]) | frozenset(ATTRIBUTE_TWINS[target]) \
        | frozenset(UNWRITTEN_IN_PLACE[target])


def _user_object(rw, receiver, attr: str) -> bool:
    """``self``, a known non-framework object, or an object whose class of this file defines ``attr``."""
    if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls", "super"):
        return True
    if rw.bindings.kind(receiver) == OTHER:
        return True
    cls = rw.bindings.class_of(receiver)
    return cls is not None and any(isinstance(s, cst.FunctionDef) and s.name.value == attr for s in cls.body.body)


def attribute_twin(rw, original: cst.Attribute, updated: cst.Attribute):
    """``x.size`` (MindSpore -> torch), ``x.is_cuda`` (torch -> MindSpore) read on what may be a source tensor ->
    ``<twins>.<attr>(x)`` (recorded), else None. The twin reads the receiver's own attribute on anything but a
    tensor of the target, so a numpy array's or a user's attribute keeps its value; a written one is marked."""
    attr = original.attr.value
    why = ATTRIBUTE_TWINS[rw.target].get(attr)
    if why is None or rw.bindings is None or id(original) in rw.called or not _may_be_tensor(rw, original.value, attr):
        return None
    twin = f"{TWINS[rw.target]}.{attr}"
    if id(original) in rw.written_attributes:   # `x.size = n`, `del x.size`
        rw.record(original, f".{attr}", rpt.REVIEW, None, ATTRIBUTE_WRITTEN.format(twin=twin))
        return None
    rw.record(original, f".{attr}", rpt.CONVERTED, twin, why)
    return cst.Call(func=rw.needs.reference(twin), args=[cst.Arg(updated.value)])


def _may_be_tensor(rw, receiver, attr: str) -> bool:
    """The receiver may be a source-framework tensor that becomes a target tensor (not a module, nor a user object)."""
    if rw.imports.resolve(receiver) is not None:
        return False
    if rw.target == "mindspore" and rw.bindings.kind(receiver) == SOURCE:
        return False   # a tensor that stays torch (an unconverted constructor's result) keeps torch's own method
    return not _user_object(rw, receiver, attr)


def applies(rw, call: cst.Call) -> bool:
    """Whether ``call`` (original node) is a Tensor method call this rule rewrites."""
    func = call.func
    if rw.bindings is None or not isinstance(func, cst.Attribute):
        return False
    attr, receiver = func.attr.value, func.value
    need = NEEDS_TWIN[rw.target].get(attr)
    if need is None and id(call) in rw.discarded:   # `mean.div_(n)` as a statement: the write is its whole effect
        need = UNWRITTEN_IN_PLACE[rw.target].get(attr)
    return need is not None and need(call) and _may_be_tensor(rw, receiver, attr)


def _mark(rw, call: cst.Call) -> bool:
    """Record ``review`` on a method call whose target namesake differs and has no twin; whether it did."""
    func = call.func
    if rw.bindings is None or not isinstance(func, cst.Attribute):
        return False
    differs, why = MARKED[rw.target].get(func.attr.value, (None, None))
    if differs is not None and differs(call) and _may_be_tensor(rw, func.value, func.attr.value):
        rw.record(call, f".{func.attr.value}()", rpt.REVIEW, None, why)
        return True
    return False


def call(rw, original: cst.Call, updated: cst.Call):
    """The rewritten call (recorded), ``updated`` when a differing call without twin was marked (its reason is the
    decision: no other rule adds its own mark), or None when this rule does not apply."""
    if not applies(rw, original):
        return updated if _mark(rw, original) else None
    attr = original.func.attr.value
    twin = f"{TWINS[rw.target]}.{attr}"
    receiver = updated.func.value
    args = [cst.Arg(receiver, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))] if updated.args \
        else [cst.Arg(receiver)]
    source, target = ("MindSpore", "torch") if rw.target == "torch" else ("torch", "MindSpore")
    rw.record(original, f".{attr}()", rpt.CONVERTED, twin,
              f"{source}'s Tensor.{attr} on a {target} tensor (the receiver's own method on anything else)")
    if rw.target == "mindspore":
        # the twin's call is a MindSpore call, as a second run over the output reads it (the same marks both runs)
        rw.bindings.calls[id(original)] = TARGET
    return updated.with_changes(func=rw.needs.reference(twin), args=[*args, *updated.args])
