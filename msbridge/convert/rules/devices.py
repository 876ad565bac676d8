"""Moves between devices: ``x.to(device)``, ``x.cuda()``, ``x.cpu()`` (torch -> MindSpore).

MindSpore places every tensor and network of a process on the context's ``device_target``; it has
no per-object move. A move returns the same values (torch's ``.to`` returns ``self`` for a module and
an equal tensor), so the call is removed and its receiver kept: ``model = Net().to(device)`` becomes
``model = Net()``. Only moves are removed: ``.to`` with a dtype, a tensor or anything not known to be
a device is left to the general rules. A device is a string literal naming one (``"cuda:0"``), a
``torch.device(...)`` call, or a name whose last part says ``device`` (``device``, ``args.device``).
``torch.device`` itself and the queries (``torch.cuda.is_available()``) become msbridge's twins, which
answer for MindSpore's device target.
"""
from __future__ import annotations

import re

import libcst as cst

from msbridge.convert import report as rpt

MOVES = ("to", "cuda", "cpu")
_DEVICE_STRING = re.compile(r"(cpu|cuda|mps|xpu|npu|meta|hpu)(:\d+)?")
_DEVICE_CALLS = ("torch.device", "msbridge.torch.device")
_MOVE_KEYWORDS = {"to": {"device", "non_blocking", "copy", "memory_format"},
                  "cuda": {"device", "non_blocking", "memory_format"}, "cpu": {"memory_format"}}
WHY = ("MindSpore places tensors and networks on the process's device_target (mindspore.set_context), "
       "not per object: the move returns the same values, so it is removed")


def _is_device(rewriter, node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString):
        try:
            return _DEVICE_STRING.fullmatch(node.evaluated_value or "") is not None
        except Exception:   # an f-string or a byte string: not a literal device
            return False
    if isinstance(node, cst.Call):
        return rewriter.imports.resolve(node.func) in _DEVICE_CALLS
    if isinstance(node, (cst.Name, cst.Attribute)):
        if rewriter.imports.resolve(node) is not None:   # a framework name (a dtype such as torch.float32)
            return False
        last = node.value if isinstance(node, cst.Name) else node.attr.value
        return "device" in last.lower()
    return False


def move(rewriter, original: cst.Call, updated: cst.Call):
    """The receiver of a device move (the call removed), or None when ``original`` is not one."""
    func = original.func
    if rewriter.target != "mindspore" or not isinstance(func, cst.Attribute) or func.attr.value not in MOVES:
        return None
    if rewriter.imports.resolve(func.value) is not None:   # torch.cuda(...) and the like: not a method
        return None
    method = func.attr.value
    positional = [a for a in original.args if a.keyword is None]
    keywords = {a.keyword.value: a.value for a in original.args if a.keyword is not None}
    if any(a.star for a in original.args) or set(keywords) - _MOVE_KEYWORDS[method]:
        return None
    if method == "to":
        devices = positional[:1] + ([] if "device" not in keywords else [cst.Arg(keywords["device"])])
        if len(devices) != 1 or len(positional) > 1 or not _is_device(rewriter, devices[0].value):
            return None
    elif method == "cuda" and len(positional) > 1 or method == "cpu" and positional:
        return None
    rewriter.record(original, f".{method}()", rpt.CONVERTED, "(removed)", WHY)
    receiver = updated.func.value
    if isinstance(receiver, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        return receiver
    return cst.ensure_type(receiver, cst.BaseExpression).with_changes(
        lpar=[cst.LeftParen()], rpar=[cst.RightParen()]) if not receiver.lpar else receiver


def receiver_kind(rewriter, original: cst.Call):
    """The binding kind of a removed move's value: its receiver's (``Net().to(device)`` is the ``Net()``)."""
    receiver = original.func.value
    if isinstance(receiver, cst.Call):
        return rewriter.bindings.calls.get(id(receiver))
    if isinstance(receiver, (cst.Name, cst.Attribute)):
        return rewriter.bindings.kind(receiver)
    return None


# twins that are module-level flags a script assigns (``torch.backends.cudnn.benchmark = True``): referenced
# through their module, so that an assignment sets the flag instead of binding a local name
FLAG_MODULES = ("msbridge.torch.backends.cudnn", "msbridge.torch.backends.cuda.matmul")


def flag_reference(rewriter, twin: str) -> cst.BaseExpression | None:
    module, _, attr = twin.rpartition(".")
    if module not in FLAG_MODULES:
        return None
    return cst.Attribute(value=rewriter.needs.reference(module), attr=cst.Name(attr))
