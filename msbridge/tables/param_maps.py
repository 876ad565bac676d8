"""Gather the layers' parameter maps: every layer row's ``params``, and ``[[layer]]`` tables.

A parameter map says how one layer's parameters are named and laid out in MindSpore and in
torch. It lives in the layer's row, so the row tests, the whole-model checks and the checkpoint
converter read one source. A ``[[layer]]`` table (``layer_params.toml``) holds the map of a layer
that has no row yet; an id may not be in both.
"""
from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from msbridge.tables.loader import DEFAULT_DIR, load_tables
from msbridge.tables.param_entries import parse_entries, parse_infer, parse_inner
from msbridge.tables.records import LayerParams
from msbridge.tables.schema import TableError

_LAYER_KEYS = ("id", "mindspore", "torch", "params", "mindspore_inner", "infer")


def _fail(file: str, index: int, layer_id, field: str, message: str) -> TableError:
    return TableError(f"{file}: layer {layer_id or '?'!r} (#{index + 1}), field {field!r}: {message}")


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

        def fail(field, message, index=index, layer_id=layer_id):
            return _fail(file, index, layer_id, field, message)

        entries = parse_entries(fail, data["params"])
        inner = parse_inner(fail, data.get("mindspore_inner", ""))
        infer = parse_infer(fail, data.get("infer", True))
        out.append(LayerParams(data["id"], data["mindspore"], data["torch"], entries, file, inner, infer))
    return tuple(out)


@functools.lru_cache(maxsize=4)
def _load(directory: str) -> tuple[LayerParams, ...]:
    layers = [LayerParams(row.id, row.mindspore.name, row.torch.name, row.params, row.file,
                          row.mindspore_inner, row.infer)
              for row in load_tables(directory) if row.params and row.torch is not None]
    from_rows = {layer.id: layer.file for layer in layers}
    for path in sorted(Path(directory).glob("*.toml")):
        label = f"{Path(directory).name}/{path.name}"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise TableError(f"{label}: not valid TOML: {exc}") from None
        for layer in build_layers(label, data.get("layer", [])):
            if layer.id in from_rows:
                raise TableError(f"{label}: layer {layer.id!r}: its parameter map is already in its row "
                                 f"({from_rows[layer.id]}); keep one")
            layers.append(layer)
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
