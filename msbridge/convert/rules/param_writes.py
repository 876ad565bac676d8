"""A tensor assigned to a layer's parameter attribute (MindSpore -> torch): ``m.weight = initializer(...)``.

mindediting's VGG and ResNet initialise weights with ``for _, m in self.cells_and_names(): if isinstance(m,
nn.Conv2d): m.weight = initializer(HeNormal(...), m.weight.shape, m.weight.dtype)``. MindSpore's Cell, given a
Tensor (not a Parameter) for an attribute that holds a Parameter, sets that Parameter's data in place (its name
kept, measured on MindSpore 2.10); torch's Module raises TypeError ("cannot assign 'torch.FloatTensor' as
parameter 'weight'"). The line was reported converted and the converted model failed at construction.

Such an assignment, whose value is a tensor made by a MindSpore API (``initializer(...)``, ``Tensor(...)``) and
whose target is an attribute of another object than ``self`` (``m.weight``, ``self.fc.bias``), becomes
``msbridge.bridge.cell_methods.assign_param(m, "weight", value)``: MindSpore's rule decided at run time, with
MindSpore's normalization names (``m.gamma`` on a torch BatchNorm is its ``weight``). The target is then left to
the twin, not renamed or marked by ``rules.layer_attrs``/``rules.norm_params``. Left as written: ``self.x = ...``
(a class's own attribute, set up in ``__init__``), any other value, and the torch -> MindSpore direction.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import OTHER, SOURCE

TWIN = "msbridge.bridge.cell_methods.assign_param"
# MindSpore APIs whose call returns a Tensor (not a Parameter, not a Cell)
TENSOR_MAKERS = frozenset({"mindspore.common.initializer.initializer", "mindspore.Tensor",
                           "mindspore.common.tensor.Tensor", "mindspore.tensor"})
WHY = ("MindSpore's Cell given a Tensor for an attribute holding a Parameter sets that Parameter's data (torch's "
       "Module raises TypeError): msbridge.bridge.cell_methods.assign_param does so on a torch Module")


def _target(rw, node: cst.Assign) -> cst.Attribute | None:
    """The ``obj.attr`` target of an assignment this rule takes, or None."""
    if rw.target != "torch" or rw.bindings is None or len(node.targets) != 1:
        return None
    target = node.targets[0].target
    if not isinstance(target, cst.Attribute) or not isinstance(node.value, cst.Call):
        return None
    receiver = target.value
    if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls") \
            or rw.imports.resolve(receiver) is not None or rw.bindings.kind(receiver) in (OTHER, SOURCE):
        return None
    made_by = rw.imports.resolve(node.value.func)
    if made_by is None or not {made_by, rw.catalog.public_name(made_by, rw.source)} & TENSOR_MAKERS:
        return None
    return target


def plan(rw, node: cst.Assign) -> None:
    """Before the children are visited: note the target, so the attribute rules leave it to the twin."""
    target = _target(rw, node)
    if target is not None:
        rw.param_writes.add(id(target))


def assignment(rw, original: cst.Assign, updated: cst.Assign):
    """``assign_param(obj, "attr", value)`` as a statement, or None (not ours)."""
    target = original.targets[0].target if len(original.targets) == 1 else None
    if target is None or id(target) not in rw.param_writes:
        return None
    new_target = updated.targets[0].target
    name = target.attr.value
    rw.record(target, f".{name}", rpt.CONVERTED, TWIN, WHY)
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return cst.Expr(cst.Call(func=rw.needs.reference(TWIN),
                             args=[cst.Arg(new_target.value, comma=comma), cst.Arg(cst.SimpleString(f'"{name}"'),
                                                                                   comma=comma),
                                   cst.Arg(updated.value)]))
