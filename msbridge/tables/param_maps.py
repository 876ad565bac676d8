"""Load and validate the layers' parameter maps (``[[layer]]`` tables in ``mapping_tables/``).

A parameter map says how one layer's parameters are named and laid out in MindSpore and in
torch. It is data so that the checkpoint converter and the layer tests read one source.
"""
from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from msbridge.tables.loader import DEFAULT_DIR
from msbridge.tables.records import FILLS, LAYOUTS, LayerParams, ParamEntry
from msbridge.tables.schema import TableError

_LAYER_KEYS = ("id", "mindspore", "torch", "params", "mindspore_inner", "infer")
_ENTRY_KEYS = ("mindspore", "torch", "ndim", "layout", "optional", "fill", "note")


def _fail(file: str, index: int, layer_id, field: str, message: str) -> TableError:
    return TableError(f"{file}: layer {layer_id or '?'!r} (#{index + 1}), field {field!r}: {message}")


def _entry(file, index, layer_id, i, data) -> ParamEntry:
    field = f"params[{i}]"

    def fail(key, message):
        return _fail(file, index, layer_id, f"{field}.{key}" if key else field, message)

    if not isinstance(data, dict):
        raise fail("", "expected a table")
    unknown = sorted(set(data) - set(_ENTRY_KEYS))
    if unknown:
        raise fail(unknown[0], f"unknown key; allowed keys: {', '.join(_ENTRY_KEYS)}")
    ms, pt = data.get("mindspore"), data.get("torch")
    for key, name in (("mindspore", ms), ("torch", pt)):
        if name is not None and (not isinstance(name, str) or not name.replace("*", "x").isidentifier()):
            raise fail(key, f"{name!r} is not a leaf parameter name")
    if ms is None and pt is None:
        raise fail("mindspore", "an entry names at least one side")
    if "*" in (ms or "") + (pt or "") and ms != pt:
        raise fail("torch", "a '*' pattern must be spelled the same on both sides")
    layout = data.get("layout", "same")
    if layout not in LAYOUTS:
        raise fail("layout", f"{layout!r} is not one of {', '.join(LAYOUTS)}")
    ndim = data.get("ndim")
    if ndim is not None and (not isinstance(ndim, int) or isinstance(ndim, bool) or ndim < 0):
        raise fail("ndim", f"expected a rank (int >= 0), got {ndim!r}")
    if layout == "insert_axis_2" and (ndim is None or ndim < 2):
        raise fail("ndim", "layout 'insert_axis_2' needs the torch rank (>= 2)")
    fill = data.get("fill")
    if (fill is not None) != (ms is None):
        raise fail("fill", "a torch-only entry (no mindspore name) needs a fill, and only it")
    if fill is not None and fill not in FILLS:
        raise fail("fill", f"{fill!r} is not one of {', '.join(FILLS)}")
    if pt is None:
        raise fail("torch", "MindSpore-only parameters are not supported yet: name the torch side")
    optional = data.get("optional", False)
    if not isinstance(optional, bool):
        raise fail("optional", f"expected true or false, got {optional!r}")
    return ParamEntry(ms, pt, ndim, layout, optional, fill, data.get("note", ""))


def build_layers(file: str, layers) -> tuple[LayerParams, ...]:
    """Validate the ``[[layer]]`` tables of one file."""
    if not isinstance(layers, list):
        raise TableError(f"{file}: field 'layer': expected [[layer]] tables")
    out = []
    for index, data in enumerate(layers):
        layer_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(data, dict):
            raise _fail(file, index, None, "", "expected a table")
        for key in sorted(set(data) - set(_LAYER_KEYS)):
            raise _fail(file, index, layer_id, key, f"unknown key; allowed keys: {', '.join(_LAYER_KEYS)}")
        for key in _LAYER_KEYS[:4]:
            if key not in data:
                raise _fail(file, index, layer_id, key, "missing required field")
        for key in ("id", "mindspore", "torch"):
            if not isinstance(data[key], str) or not data[key].strip():
                raise _fail(file, index, layer_id, key, f"expected a non-empty string, got {data[key]!r}")
        if not isinstance(data["params"], list) or not data["params"]:
            raise _fail(file, index, layer_id, "params", "expected a non-empty list of parameter tables")
        entries = tuple(_entry(file, index, layer_id, i, e) for i, e in enumerate(data["params"]))
        for side in ("mindspore", "torch"):
            names = [getattr(e, side) for e in entries if getattr(e, side)]
            dup = next((n for n in names if names.count(n) > 1), None)
            if dup:
                raise _fail(file, index, layer_id, "params", f"{side} name {dup!r} appears twice")
        inner, infer = data.get("mindspore_inner", ""), data.get("infer", True)
        if not isinstance(inner, str) or (inner and not all(p.isidentifier() or p.isdigit() for p in inner.split("."))):
            raise _fail(file, index, layer_id, "mindspore_inner", f"expected a dotted cell path, got {inner!r}")
        if not isinstance(infer, bool):
            raise _fail(file, index, layer_id, "infer", f"expected true or false, got {infer!r}")
        out.append(LayerParams(data["id"], data["mindspore"], data["torch"], entries, file, inner, infer))
    return tuple(out)


@functools.lru_cache(maxsize=4)
def _load(directory: str) -> tuple[LayerParams, ...]:
    layers = []
    for path in sorted(Path(directory).glob("*.toml")):
        label = f"{Path(directory).name}/{path.name}"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise TableError(f"{label}: not valid TOML: {exc}") from None
        if "layer" in data:
            layers.extend(build_layers(label, data["layer"]))
    seen: dict[tuple[str, str], LayerParams] = {}
    for layer in layers:
        for side in ("mindspore", "torch"):
            other = seen.setdefault((side, layer.side(side)), layer)
            if other is not layer and other.params != layer.params:
                raise TableError(f"{layer.file}: layer {layer.id!r}: {layer.side(side)} is also mapped by "
                                 f"{other.id!r} ({other.file}) with a different parameter map")
    return tuple(layers)


def load_param_maps(directory: str | Path | None = None) -> tuple[LayerParams, ...]:
    """Every layer parameter map in ``directory`` (default: the package's tables), cached."""
    return _load(str(Path(directory or DEFAULT_DIR).resolve()))
