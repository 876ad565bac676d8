"""A disk cache of the validated tables, so a command does not re-parse and re-validate the TOML each time.

Parsing and validating ``mapping_tables/*.toml`` costs about 0.3 CPU-seconds, a third of a
``msbridge convert`` start-up. The validated records are written once as JSON (never pickle: a cache
file is data and is read as data; an unknown tag or type makes it a miss) under the user's cache
folder, keyed by a hash of the tables' bytes, of the code that validates them and of the Python
version. Changing a table or the schema changes the key; a missing, unreadable, corrupt or
unwritable cache only means the tables are parsed as before.

The folder is ``msbridge._cache.user_cache_dir()`` (``MSBRIDGE_CACHE_DIR``; empty turns the cache off).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from msbridge._cache import user_cache_dir
from msbridge.tables import records

FORMAT = 1
# the code that turns TOML into records: a change to any of it must miss the cache
_VALIDATING_CODE = ("schema.py", "records.py", "expr.py", "param_entries.py", "loader.py", "cache.py")
_CLASSES = {cls.__name__: cls for cls in (records.ApiRow, records.ApiRef, records.ArgRule, records.Param,
                                         records.Example, records.InputSpec, records.ParamEntry)}


class _NotCacheable(Exception):
    """A value the JSON form cannot hold exactly (a cache miss, never an error for the user)."""


def cache_dir() -> Path | None:
    """Where cache files go (None: caching is off); see ``msbridge._cache``."""
    return user_cache_dir()


def key(files: list[Path]) -> str:
    """Hash of the table files (names and bytes), the validating code, and the Python version."""
    digest = hashlib.sha256(f"{FORMAT} {sys.version}\n".encode())
    here = Path(__file__).resolve().parent
    for path in [here / name for name in _VALIDATING_CODE] + list(files):
        data = path.read_bytes()
        digest.update(f"{path.name} {len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


def encode(value):
    """JSON-ready form; every array is tagged so tuples, lists and records come back as they were."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and type(value) in (int, float):
        return value
    if isinstance(value, tuple) and type(value) is tuple:
        return ["T", *map(encode, value)]
    if type(value) is list:
        return ["L", *map(encode, value)]
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            raise _NotCacheable("a dict with a key that is not a string")
        return {k: encode(v) for k, v in value.items()}
    if value is records.Param.REQUIRED:
        return ["R"]
    cls = type(value)
    if _CLASSES.get(cls.__name__) is cls:
        return ["D", cls.__name__, *(encode(getattr(value, f.name)) for f in dataclasses.fields(cls))]
    raise _NotCacheable(f"a value of type {cls.__name__}")


def decode(value):
    """The inverse of ``encode``; raises ``_NotCacheable`` on anything ``encode`` does not write."""
    if type(value) is list:
        tag = value[0] if value else None
        if tag == "T":
            return tuple(map(decode, value[1:]))
        if tag == "L":
            return list(map(decode, value[1:]))
        if tag == "D" and len(value) >= 2 and value[1] in _CLASSES:
            return _CLASSES[value[1]](*map(decode, value[2:]))
        if tag == "R" and len(value) == 1:
            return records.Param.REQUIRED
        raise _NotCacheable(f"unknown tag {tag!r}")
    if type(value) is dict:
        return {k: decode(v) for k, v in value.items()}
    return value


def read(name: str):
    """The cached value stored under ``name``, or None (absent, unreadable, corrupt, caching off)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"{name}.json", encoding="utf-8") as handle:
            return decode(json.load(handle))
    except (OSError, ValueError, TypeError, RecursionError, _NotCacheable):
        return None


def write(name: str, value) -> None:
    """Store ``value`` under ``name`` if the folder is writable and the value encodes exactly; else nothing."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        text = json.dumps(encode(value), separators=(",", ":"))
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, folder / f"{name}.json")
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        _prune(folder, name)
    except (OSError, ValueError, _NotCacheable):
        return


def _prune(folder: Path, name: str, keep: int = 8) -> None:
    """Keep the ``keep`` newest files of ``name``'s kind (``tables-*``): editing tables must not fill the disk."""
    kind = name.split("-", 1)[0]
    files = sorted(folder.glob(f"{kind}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)
