"""torch Module methods on a receiver the converter cannot type (torch -> MindSpore).

``model.train()`` becomes ``set_train()`` where the bindings know ``model`` becomes a MindSpore Cell
(``rules.methods``). Where they cannot tell (``net = models.__dict__[arch]()``, a function parameter,
``self.model``), the call goes to ``msbridge.torch.nn.module_mode``, which decides at run time: a Cell
gets torch's semantics, any other object (a user's ``Trainer.train()``) keeps its own method. So the
statement computes what torch's did whichever the object is, and is converted rather than left for review.

``x.detach()`` becomes ``mindspore.ops.stop_gradient(x)`` on a known MindSpore tensor and
``msbridge.torch.detach(x)`` (the same on a MindSpore tensor, the object's own method otherwise) where the kind
is not known.

``state_dict()`` and ``load_state_dict()`` stay as written: MindSpore 2.10's Cell has both, with torch's keys,
strict checks, messages and returned ``(missing_keys, unexpected_keys)`` (measured side by side in
tests/torch/test_program_twins_more.py). They are reported converted on every receiver that is not known
to be something else (a numpy array, a source-framework object, an optimizer, whose own methods stay).
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import OTHER, SOURCE, TARGET

MODULE = "msbridge.torch.nn.module_mode"
FUNCTIONS = {"train": "module_train", "eval": "module_eval", "state_dict": None, "load_state_dict": None,
             "detach": "detach"}
WHY = {"train": "msbridge.torch.nn.module_mode: set_train(mode) on a MindSpore Cell (decided at run time), the "
                "object's own train() otherwise",
       "eval": "msbridge.torch.nn.module_mode: set_train(False) on a MindSpore Cell (decided at run time), the "
               "object's own eval() otherwise",
       "state_dict": "MindSpore 2.10's Cell.state_dict(): name -> parameter (MindSpore's names; BatchNorm's "
                     "statistics are Parameters there)",
       "load_state_dict": "MindSpore 2.10's Cell.load_state_dict(): torch's strict checks and messages, returns "
                          "(missing_keys, unexpected_keys)",
       "detach": "the same values, no gradient passed back (mindspore.ops.stop_gradient; msbridge.torch.detach "
                 "decides at run time where the receiver's kind is not known)"}
# the arguments carried over (torch 2.13's names; MindSpore's load_state_dict has no ``assign``)
ARGUMENTS = {"train": ("mode",), "eval": (), "state_dict": (), "load_state_dict": ("state_dict", "strict"),
             "detach": ()}


def dispatch(rw, original: cst.Call, updated: cst.Call, optimizers=frozenset()):
    """The rewritten call, or None when ``original`` is not one of these methods on an untyped receiver."""
    func = original.func
    if rw.target != "mindspore" or not isinstance(func, cst.Attribute) or func.attr.value not in FUNCTIONS:
        return None
    attr = func.attr.value
    receiver = func.value
    if rw.imports.resolve(receiver) is not None or rw.bindings is None:
        return None
    if _is_super(receiver):
        return _super_call(rw, original, updated, attr)
    kind = rw.bindings.kind(receiver)
    if kind in (OTHER, SOURCE):
        return None
    if attr in ("train", "eval") and kind == TARGET:
        return None   # rules.methods renames it to set_train
    if attr == "detach":
        if original.args:
            return None
        target = "mindspore.ops.stop_gradient" if kind == TARGET else "msbridge.torch.detach"
        rw.record(original, ".detach()", rpt.CONVERTED, target, WHY["detach"])
        # a torch tensor's detach() is a MindSpore tensor after the conversion (a second run sees the twin's
        # call, which is one): `x.detach().numpy()` is renamed in both runs alike
        rw.bindings.calls[id(original)] = TARGET
        return cst.Call(func=rw.needs.reference(target), args=[cst.Arg(value=updated.func.value)])
    if rw.code_of(receiver) in optimizers:
        return None
    # train()/eval() pass any arguments on: a user's own method receives them, a Cell checks them as torch's does
    if FUNCTIONS[attr] is None and (any(a.star for a in original.args) or len(original.args) > len(ARGUMENTS[attr])
                                    or any(a.keyword is not None and a.keyword.value not in ARGUMENTS[attr]
                                           for a in original.args)):
        return None
    if _defines_method(rw, receiver, attr):
        return updated   # the user's own method: not a framework call
    if FUNCTIONS[attr] is None:   # the Cell's own method
        rw.record(original, f".{attr}()", rpt.CONVERTED, f".{attr}()", WHY[attr])
        return updated
    target = f"{MODULE}.{FUNCTIONS[attr]}"
    rw.record(original, f".{attr}()", rpt.CONVERTED, target, WHY[attr])
    first = cst.Arg(value=updated.func.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                    if updated.args else cst.MaybeSentinel.DEFAULT)
    return updated.with_changes(func=rw.needs.reference(target), args=[first, *updated.args])


def _defines_method(rw, receiver, attr: str) -> bool:
    """``self.train()`` inside a class that defines ``train`` itself, or ``Trainer().train()`` of such a class
    of this file: the user's method."""
    cls = rw.bindings.class_of(receiver)
    if cls is None and isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Name):
        found = rw.bindings._assignments(receiver.func)
        node = getattr(found[0], "node", None) if found and len(found) == 1 else None   # a builtin has none
        cls = node if isinstance(node, cst.ClassDef) else None
    return cls is not None and any(isinstance(s, cst.FunctionDef) and s.name.value == attr for s in cls.body.body)


def _is_super(node) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "super"


def _super_call(rw, original, updated, attr):
    """``super().train(mode)`` in a module class (an override of train): the Cell base's ``set_train(mode)``,
    which returns the cell as torch's does. In a class that does not become a Cell it stays."""
    if attr not in ("train", "eval") or _enclosing_class_kind(rw) != TARGET:
        return None
    args = updated.args if attr == "train" else [cst.Arg(value=cst.Name("False"))]
    if len(args) > 1 or any(a.star or (a.keyword is not None and a.keyword.value != "mode") for a in args):
        return None
    rw.record(original, f".{attr}()", rpt.CONVERTED, ".set_train()", "the Cell base's set_train(mode)")
    return updated.with_changes(func=updated.func.with_changes(attr=cst.Name("set_train")),
                                args=[a.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT) for a in args])


def _enclosing_class_kind(rw):
    """The kind of the class the rewriter is in (a call being left lies inside it), else None."""
    return rw.bindings.names.get(id(rw.classes[-1])) if rw.classes else None
