"""Plain-language descriptions of rows and argument rules, shared by the docs and ``explain``."""
from __future__ import annotations

from msbridge.tables.records import ApiRef, ApiRow, ArgRule, Param

EXACTNESS_MEANING = {
    "bit-exact": "both sides compute the very same floats",
    "float32-rounding": "the difference is float32 rounding on one side (MindSpore computes or stores in float32); "
                        "within the row's rtol",
    "approximate": "same quantity through a different numeric recipe (e.g. chained products vs a closed form, "
                   "or a different eps placement); within the row's rtol",
    "impossible": "no faithful counterpart: the arguments translate but the computation differs (the reason says how)",
}

KIND_MEANING = {
    "identical": "same API, same arguments",
    "renamed": "same computation, arguments renamed",
    "defaults_differ": "same computation, some defaults differ (they are always written out)",
    "transform": "arguments transformed by expressions",
    "composite": "built from a different API or a combination",
    "no_equivalent": "no counterpart",
}

TORCH_STEP_MEANING = {
    "epoch": "call scheduler.step() once per epoch (every steps_per_epoch optimizer steps)",
    "step": "call scheduler.step() after every optimizer step",
}


def signature(api: ApiRef) -> str:
    """``name(a, b=1, *, c=None)`` as declared in the table."""
    parts, star = [], False
    for p in api.params:
        if p.var_keyword:
            parts.append(f"**{p.name}")
            continue
        if p.keyword_only and not star:
            parts.append("*")
            star = True
        parts.append(p.name if p.default is Param.REQUIRED else f"{p.name}={p.default!r}")
    return f"{api.name}({', '.join(parts)})"


def rule_summary(rule: ArgRule) -> str:
    """One line saying how the argument crosses over."""
    ms, pt = rule.mindspore, rule.torch
    text = {
        "same": "same name and meaning",
        "rename": f"renamed: {ms} <-> {pt}",
        "default_differs": f"{ms} <-> {pt}; defaults differ, so the value is always written out",
        "transform": f"to torch: {pt} = {rule.to_torch}; to MindSpore: {ms} = {rule.to_mindspore}",
        "split": f"torch's {pt} is split: to torch {pt} = {rule.to_torch}; to MindSpore {ms} = {rule.to_mindspore}",
        "merge": f"merged into torch's {pt} = {rule.to_torch}",
        "unsupported": f"no counterpart; only the default translates",
        "mindspore_only": "MindSpore only" + (f"; from torch: {ms} = {rule.to_mindspore}" if rule.to_mindspore else ""),
        "torch_only": "torch only" + (f"; from MindSpore: {pt} = {rule.to_torch}" if rule.to_torch else ""),
        "optimizer_lr": "becomes the torch optimizer's lr"
                        + (f"; from torch: {ms} = {rule.to_mindspore}" if rule.to_mindspore else ""),
    }[rule.rule]
    if rule.rule == "transform" and rule.to_mindspore is None:
        text = f"to torch: {pt} = {rule.to_torch}"
    if rule.rule == "transform" and rule.to_torch is None:
        text = f"to MindSpore: {ms} = {rule.to_mindspore}"
    return text


def rule_summaries(row: ApiRow) -> list[tuple[ArgRule, str]]:
    """Each rule with its summary; a merged/split expression is spelled out only the first time."""
    out, seen = [], set()
    for rule in row.args:
        key = (rule.rule, rule.torch, rule.to_torch)
        if rule.rule in ("merge", "split") and key in seen:
            text = f"also part of torch's {rule.torch} (above)"
            if rule.rule == "split":
                text += f"; to MindSpore {rule.mindspore} = {rule.to_mindspore}"
            out.append((rule, text))
            continue
        seen.add(key)
        out.append((rule, rule_summary(rule)))
    return out


def exactness_line(row: ApiRow) -> str:
    tolerance = f" (rtol {row.rtol:g})" if row.rtol is not None and row.exactness != "impossible" else ""
    return f"{row.exactness}{tolerance}"


def conditions(row: ApiRow) -> list[str]:
    lines = []
    if row.condition_to_torch:
        lines.append(f"to torch only when: {row.condition_to_torch}")
    if row.condition_to_mindspore:
        lines.append(f"to MindSpore only when: {row.condition_to_mindspore}")
    if tuple(row.directions) != ("to_torch", "to_mindspore"):
        lines.append("translates " + " and ".join(d.replace("_", " ") for d in row.directions) + " only")
    return lines
