"""Rename and re-lay-out checkpoint tensors between MindSpore and torch, from the parameter maps.

Both frameworks name a parameter ``<module path>.<leaf>``, so the tensors are grouped by module
path and each group is matched against the layers' parameter maps (``mapping_tables``,
``[[layer]]``): its leaves must be exactly a layer's (optional ones may be absent) with the
torch ranks the map states. With a target model the layer is the model's own module class.
Without one, a group is converted only when every layer it fits converts it the same way;
otherwise it is reported as ambiguous (e.g. a bias-less 2-D ``weight``: Linear or Embedding?).
A group whose leaves no map names (a user's own Parameter) keeps its names and layout; a group that
uses mapped names but fits no map is refused rather than guessed.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from msbridge.bridge.checkpoint_tensor import CheckpointError, RawTensor
from msbridge.tables.param_maps import load_param_maps
from msbridge.tables.records import LayerParams, ParamEntry

FRAMEWORKS = ("mindspore", "torch")


def other(framework: str) -> str:
    return "torch" if framework == "mindspore" else "mindspore"


@dataclass(frozen=True)
class Target:
    """What a live target model expects: parameter shapes by name, and the layer at each module path."""
    framework: str
    shapes: dict[str, tuple[int, ...]]
    layers: dict[str, LayerParams | None]


@dataclass
class Renamed:
    """The converted tensors and what was done to each."""
    tensors: dict[str, RawTensor]
    mapped: list[tuple[str, str, str]] = field(default_factory=list)  # (source, target, layer id)
    kept: list[str] = field(default_factory=list)  # no parameter map names these: copied as is
    filled: list[str] = field(default_factory=list)  # torch-only buffers recreated
    dropped: list[str] = field(default_factory=list)  # torch-only buffers MindSpore has no place for


def _split(name: str) -> tuple[str, str]:
    prefix, dot, leaf = name.rpartition(".")
    return (prefix, leaf) if dot else ("", name)


def _join(prefix: str, leaf: str) -> str:
    return f"{prefix}.{leaf}" if prefix else leaf


def _source_ndim(entry: ParamEntry, source: str) -> int | None:
    if entry.ndim is None:
        return None
    return entry.ndim + (1 if source == "mindspore" and entry.layout == "insert_axis_2" else 0)


def _entry_for(layer: LayerParams, leaf: str, raw: RawTensor, source: str) -> ParamEntry | None:
    for entry in layer.params:
        name = getattr(entry, source)
        if name is None or not fnmatch.fnmatchcase(leaf, name):
            continue
        ndim = _source_ndim(entry, source)
        if ndim is not None and len(raw.shape) != ndim:
            return None
        if source == "mindspore" and entry.layout == "insert_axis_2" and raw.shape[2] != 1:
            return None
        return entry
    return None


def _fits(layer: LayerParams, leaves: dict[str, RawTensor], source: str) -> dict[str, ParamEntry] | None:
    """leaf -> entry when ``leaves`` are exactly a ``layer``'s parameters on the ``source`` side."""
    matched = {}
    for leaf, raw in leaves.items():
        entry = _entry_for(layer, leaf, raw, source)
        if entry is None:
            return None
        matched[leaf] = entry
    for entry in layer.params:
        name = getattr(entry, source)
        required = not entry.optional and entry.fill is None and name is not None
        if required and not any(fnmatch.fnmatchcase(leaf, name) for leaf in leaves):
            return None
    return matched


def _placement(layer: LayerParams, prefix: str, source: str) -> tuple[str, str] | None:
    """(module path, output prefix) of a group at ``prefix`` if it is ``layer``'s, else None.

    A MindSpore layer may keep its parameters in a child cell (``mindspore_inner``, e.g. BatchNorm3d's
    ``bn2d``); torch keeps them on the module itself."""
    inner = layer.mindspore_inner
    if not inner:
        return prefix, prefix
    if source == "torch":
        return prefix, _join(prefix, inner)
    if prefix == inner:
        return "", ""
    if prefix.endswith("." + inner):
        module = prefix[: -len(inner) - 1]
        return module, module
    return None


def _known_leaves(maps, leaves: dict, source: str) -> bool:
    """True when some leaf is a parameter name of some mapped layer (so keeping it as is would be a guess)."""
    names = {getattr(e, source) for layer in maps for e in layer.params if getattr(e, source)}
    return any(fnmatch.fnmatchcase(leaf, name) for leaf in leaves for name in names)


def _plan(layer: LayerParams, matched: dict[str, ParamEntry], source: str):
    """A hashable description of what converting with ``layer`` does, to compare candidate layers."""
    to = other(source)
    moves = tuple(sorted((leaf, getattr(e, to) if "*" not in (getattr(e, to) or "") else leaf, e.layout)
                         for leaf, e in matched.items()))
    fills = tuple(sorted((e.torch, e.fill) for e in layer.params if e.fill and to == "torch"))
    drops = tuple(sorted(leaf for leaf, e in matched.items() if getattr(e, to) is None))
    return moves, fills, drops


def _relayout(raw: RawTensor, layout: str, to: str) -> RawTensor:
    if layout == "same":
        return raw
    shape = raw.shape
    return raw.reshaped(shape[:2] + (1,) + shape[2:] if to == "mindspore" else shape[:2] + shape[3:])


def _fill(kind: str) -> RawTensor:
    assert kind == "zero_int64", kind
    return RawTensor("int64", (), memoryview(bytearray(8)))


def _describe(prefix: str, leaves: dict[str, RawTensor], layers: list[LayerParams], source: str) -> str:
    params = ", ".join(f"{_join(prefix, leaf)} {len(r.shape)}-D {tuple(r.shape)}" for leaf, r in sorted(leaves.items()))
    options = " or ".join(f"{layer.side(source)} -> {layer.side(other(source))}"
                          for layer in sorted(layers, key=lambda layer: layer.id))
    return f"{params}: {options}?"


def convert_names(tensors: dict[str, RawTensor], source: str, target: Target | None = None,
                  param_maps: tuple[LayerParams, ...] | None = None) -> Renamed:
    """Rename and re-lay-out ``tensors`` written by ``source`` for the other framework.

    With ``target`` the result must be exactly the model's parameters (names and shapes), else
    CheckpointError lists what is missing, extra and mismatched. Without it, groups that more
    than one layer fits in different ways raise CheckpointError naming them.
    """
    if source not in FRAMEWORKS:
        raise ValueError(f"source must be one of {FRAMEWORKS}, got {source!r}")
    to = other(source)
    maps = load_param_maps() if param_maps is None else param_maps
    groups: dict[str, dict[str, RawTensor]] = {}
    for name, raw in tensors.items():
        prefix, leaf = _split(name)
        groups.setdefault(prefix, {})[leaf] = raw
    out = Renamed({})
    ambiguous, unknown = [], []
    for prefix, leaves in groups.items():
        plans: dict[tuple, list[tuple[LayerParams, dict]]] = {}
        for layer in maps:
            placed = _placement(layer, prefix, source)
            if placed is None:
                continue
            module_path, out_prefix = placed
            if target is not None and target.layers.get(module_path) != layer:
                continue
            if target is None and not layer.infer:
                continue
            matched = _fits(layer, leaves, source)
            if matched is not None:
                plans.setdefault((out_prefix,) + _plan(layer, matched, source), []).append((layer, matched))
        if len(plans) > 1:
            ambiguous.append(_describe(prefix, leaves, [layer for options in plans.values() for layer, _ in options],
                                       source))
            continue
        if not plans and target is None and _known_leaves(maps, leaves, source):
            unknown.append(", ".join(f"{_join(prefix, leaf)} {tuple(r.shape)}" for leaf, r in sorted(leaves.items())))
            continue
        if not plans:
            for leaf, raw in leaves.items():
                out.tensors[_join(prefix, leaf)] = raw
                out.kept.append(_join(prefix, leaf))
            continue
        (out_prefix, moves, fills, drops), [(layer, _), *_] = next(iter(plans.items()))
        for leaf, new_leaf, layout in moves:
            if new_leaf is None:
                continue
            out.tensors[_join(out_prefix, new_leaf)] = _relayout(leaves[leaf], layout, to)
            out.mapped.append((_join(prefix, leaf), _join(out_prefix, new_leaf), layer.id))
        out.dropped.extend(_join(prefix, leaf) for leaf in drops)
        for name, kind in fills:
            out.tensors[_join(out_prefix, name)] = _fill(kind)
            out.filled.append(_join(out_prefix, name))
    if unknown:
        raise CheckpointError(f"{len(unknown)} parameter group(s) use a layer's parameter names but fit no layer's "
                              f"parameter map (names and ranks); name the target model (--model FILE.py:CLASS): "
                              + "; ".join(unknown))
    if ambiguous:
        raise CheckpointError(f"cannot tell which layer {len(ambiguous)} parameter group(s) belong to; name the "
                              f"target model (--model FILE.py:CLASS): " + "; ".join(ambiguous))
    if target is not None:
        check_against(out.tensors, target)
    return out


def check_against(tensors: dict[str, RawTensor], target: Target) -> None:
    """Raise CheckpointError unless ``tensors`` are exactly the target's parameters, shapes included."""
    missing = sorted(set(target.shapes) - set(tensors))
    extra = sorted(set(tensors) - set(target.shapes))
    common = set(tensors) & set(target.shapes)
    mismatched = sorted(f"{n} {tuple(tensors[n].shape)} vs model {tuple(target.shapes[n])}"
                        for n in common if tuple(tensors[n].shape) != tuple(target.shapes[n]))
    if missing or extra or mismatched:
        parts = [f"{label} ({len(items)}): {', '.join(items)}"
                 for label, items in (("missing", missing), ("extra", extra), ("mismatched", mismatched)) if items]
        raise CheckpointError(f"the checkpoint does not fit the {target.framework} model: " + "; ".join(parts))
