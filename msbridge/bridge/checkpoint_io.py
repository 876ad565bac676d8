"""Checkpoint files: read by content, write atomically, never unpickle arbitrary objects.

Formats: MindSpore ``.ckpt`` (decoded by ``mindspore_ckpt_format``), torch ``.pt``/``.pth``/``.bin``
(``torch.load(weights_only=True)`` only: a file that needs more is refused; without torch,
``msbridge.torch.serialization`` reads the same subset), and ``.safetensors``
(a JSON header and raw bytes, decoded here). A torch file may hold the state_dict itself or nest
it, e.g. under ``"model"`` or ``"state_dict"``; the other entries (an optimizer's state, an epoch
count) come back as ``Checkpoint.extra``.
"""
from __future__ import annotations

import json
import os
import pickle
import struct
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from msbridge.bridge import mindspore_ckpt_format
from msbridge.bridge.checkpoint_tensor import DTYPES, FROM_SAFETENSORS, CheckpointError, RawTensor, from_torch

FORMATS = ("mindspore", "torch", "safetensors")
EXTENSIONS = {".ckpt": "mindspore", ".pt": "torch", ".pth": "torch", ".bin": "torch", ".safetensors": "safetensors"}
# where training scripts nest a model's state_dict, most specific first
NESTING_KEYS = ("state_dict", "model_state_dict", "model", "net", "network", "module")


@dataclass
class Checkpoint:
    """Tensors by name, the file format they came from, and what a torch file held besides them."""
    tensors: dict[str, RawTensor]
    format: str
    extra: dict = field(default_factory=dict)
    nested_under: str | None = None


def sniff(head: bytes) -> str | None:
    """The format of a file from its first bytes, or None."""
    if head[:4] == b"PK\x03\x04" or head[:2] == b"\x80\x02":  # torch zip archive / legacy pickle
        return "torch"
    if len(head) >= 9 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] < 100_000_000:
        return "safetensors"
    if head[:1] == b"\x0a":  # protobuf field 1, length-delimited: Checkpoint.value
        return "mindspore"
    return None


def format_for_path(path: str | Path) -> str | None:
    return EXTENSIONS.get(Path(path).suffix.lower())


def read_checkpoint(path: str | Path) -> Checkpoint:
    """Read any supported checkpoint file; errors are one line and name the file."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(16)
    kind = sniff(head)
    if kind is None:
        raise CheckpointError(f"{path}: not a checkpoint msbridge reads (MindSpore .ckpt, torch .pt/.pth/.bin "
                              f"or .safetensors): unrecognised content" + (" (empty file)" if not head else ""))
    if kind == "torch":
        return _read_torch(path)
    buf = bytearray(path.stat().st_size)
    with open(path, "rb") as f:
        f.readinto(buf)
    if kind == "safetensors":
        return Checkpoint(_read_safetensors(buf, str(path)), "safetensors")
    return Checkpoint(mindspore_ckpt_format.read(buf, str(path)), "mindspore")


def _read_torch(path: Path) -> Checkpoint:
    try:
        import torch
    except ImportError:   # a converted script running without torch: msbridge's own reader of torch's format
        return _read_torch_without_torch(path)

    try:
        obj = torch.load(path, map_location="cpu", weights_only=True, mmap=zipfile.is_zipfile(path))
    except pickle.UnpicklingError as exc:
        first = str(exc).strip().splitlines()
        detail = next((line for line in first if "Unsupported global" in line or "GLOBAL" in line), "")
        raise CheckpointError(f"{path}: refused: the file needs to unpickle more than tensors and plain containers "
                              f"(loaded with torch.load(weights_only=True); {detail.strip() or 'unsafe content'}). "
                              f"Re-save it as a state_dict of tensors if you trust it") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError) as exc:
        reason = str(exc).strip().splitlines()[0].split(". ")[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(f"{path}: not a readable torch checkpoint (truncated or corrupt: {reason})") from None
    sd, under, extra = _find_state_dict(obj, path)
    return Checkpoint({k: from_torch(v) for k, v in sd.items()}, "torch", extra, under)


def _read_torch_without_torch(path: Path) -> Checkpoint:
    """The same, read by ``msbridge.torch.serialization`` (torch's zip format, weights only) into MindSpore."""
    import mindspore

    from msbridge.bridge.checkpoint_tensor import from_mindspore
    from msbridge.torch import serialization

    try:
        obj = serialization.load(path)
    except pickle.UnpicklingError as exc:
        raise CheckpointError(f"{path}: refused: the file needs to unpickle more than tensors and plain containers "
                              f"({exc})") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError, KeyError) as exc:
        raise CheckpointError(f"{path}: not a readable torch checkpoint ({exc})") from None
    sd, under, extra = _find_state_dict(obj, path, mindspore.Tensor)
    return Checkpoint({k: from_mindspore(v) for k, v in sd.items()}, "torch", extra, under)


def _is_state_dict(obj, tensor_type=None) -> bool:
    if tensor_type is None:
        import torch
        tensor_type = torch.Tensor
    return isinstance(obj, dict) and bool(obj) and all(
        isinstance(k, str) and isinstance(v, tensor_type) for k, v in obj.items())


def _find_state_dict(obj, path, tensor_type=None):
    if _is_state_dict(obj, tensor_type):
        return obj, None, {}
    if isinstance(obj, dict):
        for key in NESTING_KEYS:
            if _is_state_dict(obj.get(key), tensor_type):
                return obj[key], key, {k: v for k, v in obj.items() if k != key}
    kind = type(obj).__name__
    keys = f" with keys {sorted(map(str, obj))[:8]}" if isinstance(obj, dict) else ""
    raise CheckpointError(f"{path}: holds a {kind}{keys}, not a state_dict (a dict of tensors) nor one nested "
                          f"under {', '.join(map(repr, NESTING_KEYS))}")


def _read_safetensors(buf: bytearray, label: str) -> dict[str, RawTensor]:
    view = memoryview(buf)
    try:
        (size,) = struct.unpack("<Q", view[:8])
        header = json.loads(bytes(view[8:8 + size]).decode("utf-8"))
        base, out = 8 + size, {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            dtype = FROM_SAFETENSORS.get(info["dtype"])
            if dtype is None:
                raise CheckpointError(f"{label}: tensor {name!r} has dtype {info['dtype']!r}, which msbridge does "
                                      f"not convert (supported: {', '.join(FROM_SAFETENSORS)})")
            start, stop = info["data_offsets"]
            if not 0 <= start <= stop or base + stop > len(buf):
                raise ValueError(f"tensor {name!r} lies past the end of the file")
            out[name] = RawTensor(dtype, tuple(info["shape"]), view[base + start:base + stop])
        return out
    except (ValueError, KeyError, TypeError, struct.error) as exc:  # json errors are ValueErrors
        raise CheckpointError(f"{label}: not a readable safetensors file (truncated or corrupt: {exc})") from None


def _write_safetensors(f, tensors: dict[str, RawTensor], metadata: dict | None = None) -> None:
    header, offset = {}, 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, raw in tensors.items():
        header[name] = {"dtype": DTYPES[raw.dtype][2], "shape": list(raw.shape),
                        "data_offsets": [offset, offset + raw.nbytes]}
        offset += raw.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the format pads the header to 8 bytes
    f.write(struct.pack("<Q", len(text)) + text)
    for raw in tensors.values():
        f.write(raw.data)


def _write_torch(f, tensors: dict[str, RawTensor], extra: dict | None, nested_under: str | None) -> None:
    import torch

    from msbridge.bridge.checkpoint_tensor import to_torch

    sd = {name: to_torch(raw) for name, raw in tensors.items()}
    obj = {**(extra or {}), nested_under: sd} if nested_under else sd
    torch.save(obj, f)


def write_checkpoint(path: str | Path, tensors: dict[str, RawTensor], fmt: str | None = None, *,
                     extra: dict | None = None, nested_under: str | None = None) -> str:
    """Write atomically (a temporary file in the same folder, then ``os.replace``); returns the format."""
    path = Path(path)
    fmt = fmt or format_for_path(path)
    if fmt not in FORMATS:
        raise CheckpointError(f"{path}: cannot tell the output format from the extension "
                              f"(use {', '.join(EXTENSIONS)})")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            if fmt == "mindspore":
                mindspore_ckpt_format.write(f, tensors)
            elif fmt == "safetensors":
                _write_safetensors(f, tensors)
            else:
                _write_torch(f, tensors, extra, nested_under)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the mode open() would
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return fmt
