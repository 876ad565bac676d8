"""Turn raw TOML data into validated records; every problem names file, row and field.

Checked here, at load time: unknown keys, missing fields, values outside the vocabularies,
transform expressions that do not parse, and references to arguments or context names that
the row does not declare. (That the declared parameters match the real torch / MindSpore
signatures is checked by the test suite, which imports both frameworks.)
"""
from __future__ import annotations

from typing import Any

from msbridge.tables import expr
from msbridge.tables.param_entries import parse_entries, parse_infer, parse_inner
from msbridge.tables.records import (
    CARRIER_PARAMS, CATEGORIES, CONTEXT_NAMES, DIRECTIONS, EXACTNESS, INPUT_KINDS, KINDS, MODES, RULES,
    TORCH_STEPS, ApiRef, ApiRow, ArgRule, Example, InputSpec, Param,
)


class TableError(ValueError):
    """Bad data in a mapping table; the message names the file, the row and the field."""


_ROW_REQUIRED = ("id", "kind", "exactness", "exactness_reason", "note", "mindspore", "args")
_ROW_OPTIONAL = ("torch", "paradigm", "context", "family", "directions", "condition_to_torch",
                 "condition_to_mindspore", "torch_step", "rtol", "torch_optimizer_lr", "docs_correction", "examples",
                 "category", "params", "modes", "mindspore_inner", "infer")
_API_KEYS = ("name", "params", "attributes")
_ARG_KEYS = ("mindspore", "torch", "rule", "to_torch", "to_mindspore", "note")
_EXAMPLE_KEYS = ("source", "args", "context", "exprs", "inputs")
_INPUT_KEYS = ("shape", "kind", "classes", "group")
_FILE_KEYS = ("row", "description", "layer",  # [[layer]]: checkpoint parameter maps, see param_maps.py
              "primitive")  # [[primitive]]: MindSpore operator classes, see msbridge/convert/rules/primitives.py

# rule -> (needs a MindSpore name, needs a torch name)
_RULE_SIDES = {
    "same": (True, True), "rename": (True, True), "default_differs": (True, True),
    "transform": (True, True), "split": (True, True), "merge": (True, True),
    "torch_only": (False, True),
    "mindspore_only": (True, False), "optimizer_lr": (True, False),
}
_IDENTITY_RULES = ("same", "rename", "default_differs")


class _Where:
    """The location prefix of an error message."""

    def __init__(self, file: str, row_id: str | None = None, index: int | None = None):
        self.file, self.row_id, self.index = file, row_id, index

    def error(self, field: str, message: str) -> TableError:
        row = "" if self.index is None else f" row {self.row_id or '?'!r} (#{self.index + 1}),"
        return TableError(f"{self.file}:{row} field {field!r}: {message}")


def _check_keys(where: _Where, field: str, data: Any, allowed, required=()) -> None:
    if not isinstance(data, dict):
        raise where.error(field, f"expected a table, got {type(data).__name__}")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise where.error(f"{field}.{unknown[0]}" if field else unknown[0],
                          f"unknown key {unknown[0]!r}; allowed keys: {', '.join(allowed)}")
    for key in required:
        if key not in data:
            raise where.error(f"{field}.{key}" if field else key, "missing required field")


def _string(where, field, value, optional=False):
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise where.error(field, f"expected a non-empty string, got {value!r}")
    return value


def _choice(where, field, value, choices):
    if value not in choices:
        raise where.error(field, f"{value!r} is not one of {', '.join(choices)}")
    return value


def _param(where: _Where, field: str, spec: Any, keyword_only: bool) -> Param:
    spec = _string(where, field, spec)
    if spec.startswith("**"):
        return Param(spec[2:], Param.REQUIRED, keyword_only=True, var_keyword=True)
    name, sep, default_text = spec.partition("=")
    name = name.strip()
    if not name.isidentifier():
        raise where.error(field, f"{name!r} is not a parameter name (write 'name' or 'name=<literal>')")
    if not sep:
        return Param(name, Param.REQUIRED, keyword_only)
    try:
        if expr.free_names(default_text):
            raise expr.ExprError("a default must be a literal")
        default = expr.evaluate(default_text)
    except expr.ExprError as exc:
        raise where.error(field, f"default of {name!r}: {exc}") from None
    return Param(name, default, keyword_only)


def _api(where: _Where, field: str, data: Any) -> ApiRef:
    _check_keys(where, field, data, _API_KEYS, ("name", "params"))
    name = _string(where, f"{field}.name", data["name"])
    if not isinstance(data["params"], list):
        raise where.error(f"{field}.params", "expected a list of 'name' / 'name=<literal>' / '*' / '**kwargs'")
    params, keyword_only = [], False
    for i, spec in enumerate(data["params"]):
        if spec == "*":
            keyword_only = True
            continue
        params.append(_param(where, f"{field}.params[{i}]", spec, keyword_only))
    names = [p.name for p in params]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise where.error(f"{field}.params", f"parameter {duplicate!r} is declared twice")
    attributes = data.get("attributes", {})
    _check_keys(where, f"{field}.attributes", attributes, names)
    return ApiRef(name, tuple(params), tuple(sorted(attributes.items())))


def _expression(where, field, text, params, context: set[str], side_text: str):
    """Check an expression reads only ``params`` of one side and the row's ``context`` names."""
    params, allowed_names = set(params), set(params) | set(context)
    if text is None:
        return None
    _string(where, field, text)
    try:
        names = expr.free_names(text)
        expr.check_constant_parts(text)   # bounded: a constant part that cannot finish fails here, not in use
    except expr.ExprError as exc:
        raise where.error(field, f"transform does not parse: {exc}") from None
    clash = sorted(names & params & set(context))
    if clash:
        raise where.error(field, f"{clash[0]!r} is both a context name and an argument of {side_text}: ambiguous")
    unknown = sorted(names - allowed_names)
    if unknown:
        raise where.error(field, f"{unknown[0]!r} is not an argument of {side_text} nor a declared context name "
                                 f"(known: {', '.join(sorted(allowed_names))})")
    return text


def _arg(where: _Where, field: str, data: Any, ms: ApiRef, pt: ApiRef | None, context: set[str],
         directions) -> ArgRule:
    _check_keys(where, field, data, _ARG_KEYS, ("rule",))
    rule = _choice(where, f"{field}.rule", data["rule"], RULES)
    ms_name, pt_name = data.get("mindspore"), data.get("torch")
    if rule == "unsupported":  # an argument of exactly one side whose non-default values cannot cross
        if (ms_name is None) == (pt_name is None):
            raise where.error(f"{field}.mindspore", "rule 'unsupported' names exactly one side's argument")
        needs_ms, needs_pt = ms_name is not None, pt_name is not None
    else:
        needs_ms, needs_pt = _RULE_SIDES[rule]
    for side, name, needed, api in (("mindspore", ms_name, needs_ms, ms), ("torch", pt_name, needs_pt, pt)):
        if needed and name is None:
            raise where.error(f"{field}.{side}", f"rule {rule!r} needs the {side} argument name")
        if not needed and name is not None:
            raise where.error(f"{field}.{side}", f"rule {rule!r} takes no {side} argument")
        if name is not None:
            if api is None or api.param(name) is None:
                shown = api.name if api else "(no torch API)"
                have = ", ".join(api.names) if api else ""
                raise where.error(f"{field}.{side}", f"{name!r} is not a parameter of {shown} (it has: {have})")
    to_torch = _expression(where, f"{field}.to_torch", data.get("to_torch"), ms.names, context, ms.name)
    to_mindspore = _expression(where, f"{field}.to_mindspore", data.get("to_mindspore"),
                               pt.names if pt else (), context, pt.name if pt else "(no torch API)")
    if rule in _IDENTITY_RULES:
        for key, given, identity in (("to_torch", to_torch, ms_name), ("to_mindspore", to_mindspore, pt_name)):
            if given is not None and given.strip() != identity:
                raise where.error(f"{field}.{key}", f"rule {rule!r} is the identity; "
                                                    f"use rule 'transform' for {given!r}")
        to_torch, to_mindspore = ms_name, pt_name
        ms_default, pt_default = ms.param(ms_name).default, pt.param(pt_name).default
        if rule != "default_differs" and ms_default != pt_default:
            raise where.error(f"{field}.rule", f"defaults differ ({ms_name}={ms_default!r}, {pt_name}={pt_default!r}): "
                                               f"use rule 'default_differs'")
        if rule == "default_differs" and ms_default == pt_default:
            raise where.error(f"{field}.rule", f"defaults are equal ({ms_default!r}): use 'same' or 'rename'")
        if rule == "same" and ms_name != pt_name:
            raise where.error(f"{field}.rule", f"names differ ({ms_name} / {pt_name}): use 'rename'")
    if rule in ("transform", "split", "merge"):
        if "to_torch" in directions and to_torch is None:
            raise where.error(f"{field}.to_torch", f"rule {rule!r} needs a to_torch expression")
        if "to_mindspore" in directions and to_mindspore is None:
            raise where.error(f"{field}.to_mindspore", f"rule {rule!r} needs a to_mindspore expression")
    if rule == "optimizer_lr" and to_torch is not None:
        raise where.error(f"{field}.to_torch", "the torch optimizer's lr is the row field 'torch_optimizer_lr'")
    if rule == "optimizer_lr" and to_mindspore is None and "to_mindspore" in directions:
        raise where.error(f"{field}.to_mindspore",
                          "rule 'optimizer_lr' needs a to_mindspore expression (usually 'initial_lr')")
    note = data.get("note", "")
    if rule in ("unsupported", "torch_only", "mindspore_only") and not note:
        raise where.error(f"{field}.note", f"rule {rule!r} must say what the user should know")
    return ArgRule(ms_name, pt_name, rule, to_torch, to_mindspore, note)


def _example(where: _Where, field: str, data: Any, row_sides: dict, context: set[str]) -> Example:
    _check_keys(where, field, data, _EXAMPLE_KEYS, ("source", "args"))
    source = _choice(where, f"{field}.source", data["source"], ("mindspore", "torch"))
    api = row_sides[source]
    if api is None:
        raise where.error(f"{field}.source", "this row has no torch API")
    args = data["args"]
    _check_keys(where, f"{field}.args", args, api.names)
    ctx = data.get("context", {})
    _check_keys(where, f"{field}.context", ctx, sorted(context))
    exprs = data.get("exprs", {})
    _check_keys(where, f"{field}.exprs", exprs, api.names)
    for name, text in exprs.items():
        _expression(where, f"{field}.exprs.{name}", text, (), set(), api.name)
    # TOML has no tuples: an array given for a parameter whose default is a tuple becomes one
    args = {k: tuple(v) if isinstance(v, list) and isinstance(api.param(k).default, tuple) else v
            for k, v in args.items()}
    inputs = data.get("inputs", [])
    if not isinstance(inputs, list):
        raise where.error(f"{field}.inputs", "expected a list of {shape=[...], kind=...} tables")
    specs = tuple(_input(where, f"{field}.inputs[{i}]", spec) for i, spec in enumerate(inputs))
    return Example(source, tuple(args.items()), tuple(ctx.items()), tuple(exprs.items()), specs)


def _input(where: _Where, field: str, data: Any) -> InputSpec:
    _check_keys(where, field, data, _INPUT_KEYS, ("shape",))
    shape = data["shape"]
    if not isinstance(shape, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
                                              for n in shape):
        raise where.error(f"{field}.shape", f"expected a list of sizes, got {shape!r}")
    kind = _choice(where, f"{field}.kind", data.get("kind", "normal"), INPUT_KINDS)
    classes = data.get("classes", 0)
    if kind in ("labels", "onehot") and (not isinstance(classes, int) or classes < 1):
        raise where.error(f"{field}.classes", f"kind {kind!r} needs a positive number of classes")
    group = data.get("group", "")
    if not isinstance(group, str):
        raise where.error(f"{field}.group", f"expected a name, got {group!r}")
    return InputSpec(tuple(shape), kind, classes, group)


def _param_map(where: _Where, data: dict):
    """A layer row's parameter map: ``params`` plus ``mindspore_inner``/``infer`` (param_entries.py)."""
    def fail(field, message):
        return where.error(field, message)

    params = parse_entries(fail, data["params"]) if "params" in data else ()
    return params, parse_inner(fail, data.get("mindspore_inner", "")), parse_infer(fail, data.get("infer", True))


def _same_expression_per_target(where: _Where, args: tuple[ArgRule, ...]) -> None:
    """Rules that split or merge into one torch argument must build it with one expression."""
    first: dict[str, tuple[int, str]] = {}
    for i, rule in enumerate(args):
        if rule.rule in ("split", "merge") and rule.to_torch is not None:
            index, text = first.setdefault(rule.torch, (i, rule.to_torch))
            if text != rule.to_torch:
                raise where.error(f"args[{i}].to_torch", f"{rule.torch!r} is built differently in args[{index}] "
                                                         f"({text!r}): one target, one expression")


def _coverage(where: _Where, api: ApiRef | None, args: tuple[ArgRule, ...], side: str) -> None:
    if api is None:
        return
    covered = {getattr(r, side) for r in args}
    for p in api.params:
        if p.name not in covered and p.name not in CARRIER_PARAMS and not p.var_keyword:
            raise where.error("args", f"{side} parameter {p.name!r} of {api.name} has no rule "
                                      f"(every parameter must say how it crosses over)")


def torch_step_needs_lr(data: dict) -> bool:
    """LR rows (those with a torch_step) drive an optimizer whose lr the row must set."""
    return data.get("torch_step") is not None


def build_row(file: str, index: int, data: Any) -> ApiRow:
    """Validate one ``[[row]]`` table and return its record."""
    where = _Where(file, data.get("id") if isinstance(data, dict) else None, index)
    _check_keys(where, "", data, _ROW_REQUIRED + _ROW_OPTIONAL, _ROW_REQUIRED)
    row_id = _string(where, "id", data["id"])
    kind = _choice(where, "kind", data["kind"], KINDS)
    exactness = _choice(where, "exactness", data["exactness"], EXACTNESS)
    ms = _api(where, "mindspore", data["mindspore"])
    pt = _api(where, "torch", data["torch"]) if "torch" in data else None
    if pt is None and kind != "no_equivalent":
        raise where.error("torch", f"missing required field (only kind 'no_equivalent' may omit it)")
    context = data.get("context", [])
    if not isinstance(context, list):
        raise where.error("context", "expected a list of context names")
    for i, name in enumerate(context):
        if name not in CONTEXT_NAMES:
            raise where.error(f"context[{i}]", f"{name!r} is not a context name ({', '.join(CONTEXT_NAMES)})")
    ctx = set(context)
    directions = data.get("directions", list(DIRECTIONS))
    if not isinstance(directions, list) or not directions:
        raise where.error("directions", "expected a non-empty list")
    for i, d in enumerate(directions):
        _choice(where, f"directions[{i}]", d, DIRECTIONS)
    if not isinstance(data["args"], list):
        raise where.error("args", "expected a list of [[row.args]] tables")
    args = tuple(_arg(where, f"args[{i}]", a, ms, pt, ctx, directions) for i, a in enumerate(data["args"]))
    _same_expression_per_target(where, args)
    _coverage(where, ms, args, "mindspore")
    _coverage(where, pt, args, "torch")
    rtol = data.get("rtol")
    if rtol is not None and (not isinstance(rtol, (int, float)) or isinstance(rtol, bool) or not 0 < rtol < 1):
        raise where.error("rtol", f"expected a float in (0, 1), got {rtol!r}")
    if exactness in ("float32-rounding", "approximate") and rtol is None:
        raise where.error("rtol", f"exactness {exactness!r} must state its relative tolerance")
    if torch_step_needs_lr(data) and "to_torch" in directions and data.get("torch_optimizer_lr") is None:
        raise where.error("torch_optimizer_lr", "an LR row translating to torch must say the torch optimizer's lr")
    examples_data = data.get("examples", [])
    if not isinstance(examples_data, list):
        raise where.error("examples", "expected a list of [[row.examples]] tables")
    sides = {"mindspore": ms, "torch": pt}
    examples = tuple(_example(where, f"examples[{i}]", e, sides, ctx) for i, e in enumerate(examples_data))
    torch_step = data.get("torch_step")
    if torch_step is not None:
        _choice(where, "torch_step", torch_step, TORCH_STEPS)
    category = data.get("category")
    if category is not None:
        _choice(where, "category", category, CATEGORIES)
    modes = data.get("modes", [])
    if not isinstance(modes, list):
        raise where.error("modes", "expected a list such as ['train', 'eval']")
    for i, mode in enumerate(modes):
        _choice(where, f"modes[{i}]", mode, MODES)
    if category in ("layer", "loss") and pt is not None:   # a function may be a creation op, fed nothing
        for i, example in enumerate(examples):
            if not example.inputs:
                raise where.error(f"examples[{i}].inputs", f"a {category} row's example must say what it is fed")
    params, inner, infer = _param_map(where, data)
    return ApiRow(
        id=row_id, kind=kind, exactness=exactness,
        exactness_reason=_string(where, "exactness_reason", data["exactness_reason"]),
        paradigm=_string(where, "paradigm", data.get("paradigm"), optional=True),
        note=_string(where, "note", data["note"]),
        mindspore=ms, torch=pt, args=args, context=tuple(context), file=file,
        family=_string(where, "family", data.get("family"), optional=True),
        directions=tuple(directions),
        condition_to_torch=_expression(where, "condition_to_torch", data.get("condition_to_torch"),
                                       ms.names, ctx, ms.name),
        condition_to_mindspore=_expression(where, "condition_to_mindspore", data.get("condition_to_mindspore"),
                                           pt.names if pt else (), ctx, pt.name if pt else ""),
        torch_step=torch_step, rtol=None if rtol is None else float(rtol),
        torch_optimizer_lr=_expression(where, "torch_optimizer_lr", data.get("torch_optimizer_lr"),
                                       ms.names, ctx, ms.name),
        docs_correction=_string(where, "docs_correction", data.get("docs_correction"), optional=True),
        examples=examples, category=category, params=params, mindspore_inner=inner, infer=infer,
        modes=tuple(modes),
    )


def build_file(file: str, data: dict) -> tuple[ApiRow, ...]:
    """Validate one parsed TOML file."""
    where = _Where(file)
    _check_keys(where, "", data, _FILE_KEYS, () if "layer" in data else ("row",))
    if not isinstance(data.get("row", []), list):
        raise where.error("row", "expected [[row]] tables")
    return tuple(build_row(file, i, row) for i, row in enumerate(data.get("row", [])))
