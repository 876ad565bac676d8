"""The one folder msbridge caches derived files in (validated tables, compiled kernels).

Derived files only: anything here can be deleted and is rebuilt. ``MSBRIDGE_CACHE_DIR`` chooses the
folder, ``MSBRIDGE_CACHE_DIR=""`` turns caching off; otherwise ``$XDG_CACHE_HOME/msbridge`` or
``~/.cache/msbridge``. With no home folder or a relative XDG path there is no cache, never a folder
relative to where the program runs.
"""
from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir() -> Path | None:
    """msbridge's cache folder (not created here), or None when caching is off or there is no safe place."""
    chosen = os.environ.get("MSBRIDGE_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "msbridge" if os.path.isabs(base) else None
