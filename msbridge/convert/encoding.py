"""Decode a Python file the way Python does, and encode the conversion the same way.

Python accepts a UTF-8 byte-order mark and a PEP 263 coding declaration
(``# -*- coding: latin-1 -*-``); so does the converter, and the output keeps
the mark or the encoding, so the converted file is read back exactly as the
original was.
"""
from __future__ import annotations

import io
import tokenize


class DecodeError(ValueError):
    """The bytes are not text in the encoding Python would read them with."""


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding); ``encoding`` is ``utf-8-sig`` for a file with a byte-order mark."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:   # unknown or conflicting declaration, or undecodable first lines
        if "unknown encoding" in str(exc) or "encoding problem" in str(exc):
            raise DecodeError(str(exc)) from None
        encoding = "utf-8"
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding in ("utf-8", "utf-8-sig") else encoding
        raise DecodeError(f"not {name} text: {exc.reason} at byte {exc.start}") from None


def encode(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding`` (``utf-8-sig`` writes the byte-order mark back)."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise DecodeError(f"the converted text cannot be written in the file's encoding {encoding}: "
                          f"{exc.reason} at character {exc.start}") from None
