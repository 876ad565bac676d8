"""Read and write MindSpore's ``.ckpt`` files without MindSpore, safely.

The format (``mindspore/train/checkpoint.proto``) is a protobuf ``Checkpoint`` of repeated
``Value {tag, TensorProto {dims, tensor_type, tensor_content}}``; ``save_checkpoint`` writes one
message per parameter (large ones in 512 MiB slices that repeat the tag) and may append
``b"crc_num" + 10-byte crc32``. Decoding it here needs no pickle and no MindSpore import, keeps
tensor bytes as views of the file, and lets us name precisely what is wrong with a bad file.
Encrypted checkpoints and MapParameters are refused.
"""
from __future__ import annotations

import binascii
import math

from msbridge.bridge.checkpoint_tensor import DTYPES, FROM_MINDSPORE, CheckpointError, RawTensor

_SLICE = 512 * 1024 * 1024  # bytes per message, as mindspore's save_checkpoint slices
_CRC = b"crc_num"


class _Corrupt(Exception):
    pass


def _varint(buf, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= end:
            raise _Corrupt("a field runs past the end of the file")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise _Corrupt("a varint is longer than 10 bytes")


def _fields(buf, pos: int, end: int):
    """Yield (field number, wire type, value) where value is an int or a (start, stop) span."""
    while pos < end:
        key, pos = _varint(buf, pos, end)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos, end)
        elif wire == 2:
            size, pos = _varint(buf, pos, end)
            if pos + size > end:
                raise _Corrupt("a field runs past the end of the file")
            value, pos = (pos, pos + size), pos + size
        else:
            raise _Corrupt(f"unexpected protobuf wire type {wire}")
        yield number, wire, value


def _tensor(buf, start: int, stop: int):
    dims, dtype, content = [], None, None
    for number, wire, value in _fields(buf, start, stop):
        if number == 1 and wire == 0:
            dims.append(value)
        elif number == 1 and wire == 2:  # packed dims
            dims.extend(v for _, _, v in _fields_packed(buf, *value))
        elif number == 2 and wire == 2:
            dtype = bytes(buf[value[0]:value[1]]).decode("utf-8", "replace")
        elif number == 3 and wire == 2:
            content = value
        else:
            raise _Corrupt(f"unexpected field {number} in a tensor")
    if dtype is None or content is None:
        raise _Corrupt("a tensor lacks its type or content")
    return tuple(dims), dtype, content


def _fields_packed(buf, start, stop):
    pos = start
    while pos < stop:
        value, pos = _varint(buf, pos, stop)
        yield None, 0, value


def read(buf: bytearray, label: str) -> dict[str, RawTensor]:
    """Decode a whole ``.ckpt`` held in ``buf``; tensors are views of ``buf``."""
    view = memoryview(buf)
    end = len(buf)
    if end >= 17 and bytes(view[end - 17:end - 10]) == _CRC:
        crc = int.from_bytes(view[end - 10:end], "big")
        end -= 17
        if binascii.crc32(view[:end]) != crc:
            raise CheckpointError(f"{label}: the MindSpore checkpoint's crc32 does not match: the file is corrupt")
    parts: dict[str, list] = {}
    try:
        for number, wire, value in _fields(view, 0, end):
            if number != 1 or wire != 2:
                raise _Corrupt(f"unexpected top-level field {number}")
            name = tensor = None
            for inner, inner_wire, inner_value in _fields(view, *value):
                if inner == 1 and inner_wire == 2:
                    name = bytes(view[inner_value[0]:inner_value[1]]).decode("utf-8")
                elif inner == 2 and inner_wire == 2:
                    tensor = _tensor(view, *inner_value)
                elif inner == 3:
                    raise CheckpointError(f"{label}: holds a MapParameter (maptensor), which msbridge does not convert")
                else:
                    raise _Corrupt(f"unexpected field {inner} in a parameter")
            if name is None or tensor is None:
                raise _Corrupt("a parameter lacks its name or tensor")
            parts.setdefault(name, []).append(tensor)
    except (_Corrupt, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{label}: not a readable MindSpore checkpoint (truncated or corrupt: {exc})") from None
    out = {}
    for name, slices in parts.items():
        dims, type_name, _ = slices[0]
        dtype = FROM_MINDSPORE.get(type_name)
        if dtype is None:
            raise CheckpointError(f"{label}: parameter {name!r} has tensor type {type_name!r}, which msbridge "
                                  f"does not convert (supported: {', '.join(FROM_MINDSPORE)})")
        if len(slices) == 1:
            data = view[slices[0][2][0]:slices[0][2][1]]
        else:
            data = memoryview(b"".join(view[s:e] for _, _, (s, e) in slices))
        want = math.prod(dims) * DTYPES[dtype][0]
        if data.nbytes != want:
            raise CheckpointError(f"{label}: parameter {name!r} has {data.nbytes} bytes, but {type_name} {dims} "
                                  f"needs {want}: the file is truncated or corrupt")
        out[name] = RawTensor(dtype, dims, data)
    return out


def _key(number: int, wire: int) -> bytes:
    return _encode_varint(number << 3 | wire)


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1  # int64 dims are two's complement on the wire
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _length_delimited(number: int, size: int) -> bytes:
    return _key(number, 2) + _encode_varint(size)


def write(f, tensors: dict[str, RawTensor]) -> None:
    """Write ``tensors`` to the binary file ``f`` as ``mindspore.save_checkpoint`` lays them out."""
    for name, raw in tensors.items():
        tag = name.encode("utf-8")
        dims = b"".join(_key(1, 0) + _encode_varint(d) for d in raw.shape)
        type_name = DTYPES[raw.dtype][1].encode()
        step = max(1, _SLICE - _SLICE % DTYPES[raw.dtype][0])
        for start in range(0, max(raw.nbytes, 1), step):
            chunk = raw.data[start:start + step]
            tensor_head = dims + _length_delimited(2, len(type_name)) + type_name
            tensor_size = len(tensor_head) + len(_length_delimited(3, chunk.nbytes)) + chunk.nbytes
            value_head = _length_delimited(1, len(tag)) + tag + _length_delimited(2, tensor_size)
            f.write(_length_delimited(1, len(value_head) + tensor_size) + value_head + tensor_head
                    + _length_delimited(3, chunk.nbytes))
            f.write(chunk)
