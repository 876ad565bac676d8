"""torch's ``net.named_parameters()`` on a network that became a MindSpore Cell (torch -> MindSpore).

A Cell has no ``named_parameters``; ``parameters_and_names()`` lists BatchNorm's running statistics too and
names a BatchNorm's or LayerNorm's scale and shift ``gamma``/``beta``, so the name filters of a training script
(``'bias' in name`` for the weight-decay groups, ``'bn' in name`` for freezing) would pick other parameters.
``msbridge.torch.nn.module_parameters.named_parameters`` lists them with torch's names and leaves the statistics
out; on anything but a Cell it calls the object's own method, so an untyped receiver (a function's parameter)
is converted too. torch's arguments (prefix, recurse, remove_duplicate) are its arguments.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import TARGET

TWIN = "msbridge.torch.nn.module_parameters.named_parameters"
WHY = ("torch's names and order; BatchNorm's running statistics (torch's buffers) left out, gamma/beta named "
       "weight/bias, on a Cell; the object's own method otherwise")


def call(rw, original: cst.Call, updated: cst.Call, defines) -> cst.Call | None:
    """The rewritten call, or None when ``original`` is not ``<network>.named_parameters(...)``.

    ``defines(receiver)``: whether the receiver's class (known from the file) defines the method itself."""
    func = updated.func
    if rw.target != "mindspore" or not isinstance(func, cst.Attribute) or func.attr.value != "named_parameters" \
            or rw.bindings is None or rw.imports.resolve(original.func.value) is not None:
        return None
    receiver = original.func.value
    if rw.bindings.kind(receiver) not in (TARGET, None) or defines(receiver):
        return None
    if any(a.star for a in updated.args):
        return None
    rw.record(original, ".named_parameters()", rpt.CONVERTED, TWIN, WHY)
    first = cst.Arg(func.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) if updated.args \
        else cst.Arg(func.value)
    return updated.with_changes(func=rw.needs.reference(TWIN), args=[first, *updated.args])
