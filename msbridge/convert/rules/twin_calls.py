"""Calls sent to msbridge's runtime twins whose arguments make them differ from the source API.

A twin has the source API's signature, but a few arguments select behaviour MindSpore cannot
reproduce; the call is still rewritten to the twin, and marked ``review`` with the reason:

* ``autocast`` that may be enabled (``enabled`` not the literal ``False``): torch computes the region
  in float16/bfloat16, the twin in the precision the code is written in (``msbridge.torch.amp``).
  ``enabled`` computed from ``torch.cuda.is_available()`` / ``torch.accelerator.is_available()`` (inline or
  through a name the file assigns) is not marked: msbridge's twins of those answer for MindSpore's
  device target, False on CPU, where the region is computed as written, as torch does on CPU;
* ``DataLoader`` with a ``worker_init_fn`` and workers (``num_workers`` not the literal 0): torch calls it
  in each worker process; the twin loads in the calling process and never calls it;
* a call with ``inplace=`` (not the literal ``False``) whose result is unused, ``F.dropout(x, training=True,
  inplace=True)`` as a statement: torch changes ``x``; the twin returns a new tensor (MindSpore 2.10 has no in-place
  kernels on CPU), so the line changes nothing.
"""
from __future__ import annotations

import ast

import libcst as cst

# API -> (its argument names in order, check(bound arguments) -> problem or None)
AUTOCAST = ("torch.autocast", "torch.amp.autocast", "torch.amp.autocast_mode.autocast", "torch.cpu.amp.autocast")
CUDA_AUTOCAST = ("torch.cuda.amp.autocast",)
LOADER = ("torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader")
LOADER_ARGS = ("dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "num_workers", "collate_fn",
               "pin_memory", "drop_last", "timeout", "worker_init_fn")


def _literal(node) -> object:
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.Integer):
        return int(node.value, 0)
    return ...


def _bound(call: cst.Call, names) -> dict:
    out = {}
    for i, arg in enumerate(call.args):
        if arg.star:
            return {}
        key = arg.keyword.value if arg.keyword is not None else (names[i] if i < len(names) else None)
        if key is not None:
            out[key] = arg.value
    return out


AVAILABILITY = ("torch.cuda.is_available", "torch.accelerator.is_available")


def _follows_availability(rewriter, node) -> bool:
    """``torch.cuda.is_available()`` inline, or a name the file assigns from an expression calling it."""
    if node is None:
        return False
    if isinstance(node, cst.Call) and rewriter.imports.resolve(node.func) in AVAILABILITY:
        return True
    if not isinstance(node, cst.Name):
        return False
    value = rewriter.scan.assigned.get(node.value)
    if value is None:
        return False
    return any(isinstance(sub, ast.Call) and isinstance(sub.func, (ast.Name, ast.Attribute))
               and rewriter.scan.imports.qualify(ast.unparse(sub.func)) in AVAILABILITY for sub in ast.walk(value))


def problems(rewriter, public: str, call: cst.Call) -> list[str]:
    if id(call) in rewriter.discarded and any(a.keyword is not None and a.keyword.value == "inplace"
                                              and _literal(a.value) is not False for a in call.args):
        return ["inplace= where the result is not used: msbridge's twin returns a new tensor, so the statement no "
                "longer changes its input; assign the result (x = ...)"]
    if public in AUTOCAST or public in CUDA_AUTOCAST:
        names = ("enabled",) if public in CUDA_AUTOCAST else ("device_type", "dtype", "enabled")
        enabled = _bound(call, names).get("enabled")
        if _follows_availability(rewriter, enabled):
            return []
        if enabled is None or _literal(enabled) is not False:
            return ["when enabled, torch computes this region in float16/bfloat16 and the twin in the precision "
                    "it is written in (it warns at run time); MindSpore sets precision per network: "
                    "mindspore.amp.auto_mixed_precision"]
    if public in LOADER:
        bound = _bound(call, LOADER_ARGS)
        init = bound.get("worker_init_fn")
        if init is not None and _literal(init) is not None and _literal(bound.get("num_workers")) not in (0, None):
            return ["worker_init_fn runs in torch's worker processes; msbridge's DataLoader loads in this process "
                    "and never calls it: call it once yourself if it seeds or opens something the dataset needs"]
    return []
