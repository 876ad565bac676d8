"""MindSpore's normalization-layer parameter names read on a layer (MindSpore -> torch).

mindcv's and the model zoo's weight init reads them on layers found by type:
``if isinstance(cell, nn.BatchNorm2d): cell.gamma.set_data(initializer("ones", cell.gamma.shape))``.
A torch normalization layer calls them ``weight``/``bias``/``running_mean``/``running_var``, so ``cell.gamma``
raised AttributeError. A read of ``.gamma``/``.beta``/``.moving_mean``/``.moving_variance`` goes to
``msbridge.bridge.cell_methods.norm_param(cell, name)``, which decides at run time: a torch normalization layer's
counterpart, any other object's own attribute (a user's Cell with a ``gamma`` of its own, a MindSpore layer).
Left as written: ``self.gamma`` (a class's own attribute), a write (``cell.gamma = ...``), an object known not to
be a framework one; a write on a layer is marked.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import OTHER, SOURCE

NAMES = frozenset({"gamma", "beta", "moving_mean", "moving_variance"})
TWIN = "msbridge.bridge.cell_methods.norm_param"
WHY = ("MindSpore's normalization layers name their parameters gamma/beta/moving_mean/moving_variance, torch's "
       "weight/bias/running_mean/running_var: msbridge.bridge.cell_methods.norm_param reads the counterpart on a "
       "torch layer (decided at run time), the object's own attribute otherwise")


def mark_targets(rw, node) -> None:
    """Attributes bound by a statement (``cell.gamma = ...``, ``m.weight += ...``, ``del m.weight``, ``for m.bias in``,
    ``with ... as m.weight``): never replaced by a call, which would not compile there."""
    if isinstance(node, cst.Assign):
        targets = [t.target for t in node.targets]
    elif isinstance(node, cst.WithItem):
        targets = [node.asname.name] if node.asname is not None else []
    else:
        targets = [node.target]
    while targets:
        target = targets.pop()
        if isinstance(target, (cst.Tuple, cst.List)):
            targets.extend(e.value for e in target.elements)
        elif isinstance(target, cst.StarredElement):
            targets.append(target.value)
        elif isinstance(target, (cst.Attribute, cst.Subscript)):   # any name: rules.layer_attrs renames others too;
            rw.written_attributes.add(id(target))                    # a subscript: rules.negative_steps


def attribute(rw, original: cst.Attribute, updated: cst.Attribute):
    """``norm_param(receiver, "gamma")`` for a read, or None (not one of these names, or left as written)."""
    name = original.attr.value
    if rw.target != "torch" or name not in NAMES or rw.bindings is None:
        return None
    receiver = original.value
    if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls") \
            or rw.imports.resolve(receiver) is not None or rw.bindings.kind(receiver) in (OTHER, SOURCE):
        return None
    if id(original) in rw.written_attributes:
        return None
    rw.record(original, f".{name}", rpt.CONVERTED, TWIN, WHY)
    return cst.Call(func=rw.needs.reference(TWIN),
                    args=[cst.Arg(updated.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                          cst.Arg(cst.SimpleString(f'"{name}"'))])
