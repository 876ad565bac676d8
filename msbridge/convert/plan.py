"""Which entries a conversion reads and writes, checked before anything is written.

The promise: without ``--in-place`` no path that resolves (through symbolic
links and output folders) to an input file, or to anything inside the input
folder, is ever written, report files included. Entries that cannot be
converted (a dangling link, a link loop, a FIFO, a folder that cannot be
listed) are listed with the reason instead of stopping the tree or being
skipped in silence.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from msbridge.errors import UserError

SKIP_DIRS = {"__pycache__", ".git", ".hg", ".svn", ".tox", ".venv", ".mypy_cache", ".pytest_cache"}


@dataclass
class Entry:
    path: Path                  # where the input was found
    dest: Path | None           # where its conversion (or copy) goes; None: only report
    label: str                  # the name in the report
    python: bool = True
    problem: str | None = None  # set: not read, reported with this reason
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    entries: list[Entry]
    source_root: str            # real path of the input folder (or of the input file)
    inputs: set[str]            # real paths of every input file
    is_tree: bool


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _real(path: Path | str) -> str:
    return os.path.realpath(path)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"


def _problem(path: Path) -> tuple[str | None, os.stat_result | None]:
    """Why ``path`` cannot be read as a file (None: it can), and its (followed) status."""
    try:
        info = os.stat(path)
    except OSError as exc:
        if os.path.islink(path):
            if exc.errno == errno.ELOOP:
                return "symbolic link loop: not followed", None
            if exc.errno == errno.ENOENT:
                return f"dangling symbolic link (to {os.readlink(path)!r})", None
        return f"cannot read: {exc.strerror}", None
    if os.path.islink(path) and stat.S_ISDIR(info.st_mode):
        return "symbolic link to a folder: not followed", info
    if not stat.S_ISREG(info.st_mode):
        return f"{_kind(info.st_mode)}, not a file: not read", info
    return None, info


def _in_place_problem(path: Path, info: os.stat_result, root: str, force: bool) -> tuple[str | None, list[str]]:
    """Refuse what an in-place rewrite would silently damage (unless ``force``)."""
    if not _inside(_real(path), root):
        return "symbolic link to a file outside the input folder: not converted in place", []
    notes = []
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        if not force:
            return "read-only file: not converted in place (--force converts it anyway)", []
        notes.append("read-only file converted because of --force (it stays read-only)")
    if info.st_nlink > 1:
        links = f"{info.st_nlink} hard links"
        if not force:
            return (f"file has {links}: an in-place conversion writes a new file, so the other links would keep "
                    "the old text; not converted (--force converts this name only)"), []
        notes.append(f"file had {links}: only this name holds the converted text, the other links keep the old one")
    return None, notes


def make_plan(src: Path, out: Path | None, in_place: bool, force: bool = False) -> Plan:
    """List the entries and check every destination; raises UserError before anything is written."""
    if not os.path.lexists(src):
        raise UserError(f"{src}: no such file or directory")
    problem, info = _problem(src)
    is_tree = info is not None and stat.S_ISDIR(info.st_mode)
    if problem and not is_tree:
        raise UserError(f"{src}: {problem}")
    root = _real(src)
    if is_tree:
        if out is not None and _inside(_real(out), root):
            raise UserError(f"{out}: the output folder is inside the input folder {src}, so its files would be read "
                            "as inputs or overwrite originals; choose an output folder outside it (or --in-place)")
        entries = _walk(src, out, in_place, force, root)
    else:
        dest = src if in_place else out
        entry = Entry(src, dest, str(src))
        if in_place:
            entry.problem, entry.notes = _in_place_problem(src, info, root, force)
            if entry.problem and "outside" in entry.problem:   # a single linked file: its target is the input
                entry.problem = None
        entries = [entry]
    plan = Plan(entries, root, {_real(e.path) for e in entries if e.problem is None}, is_tree)
    if not in_place:
        for entry in entries:
            if entry.dest is not None and entry.problem is None:
                check_writable(plan, entry.dest, "output")
    return plan


def check_writable(plan: Plan, dest: Path, what: str) -> None:
    """UserError when writing ``dest`` would write an input (through links and folders)."""
    real = _real(dest)
    if real in plan.inputs or (plan.is_tree and _inside(real, plan.source_root)):
        where = "an input file" if real in plan.inputs else f"inside the input folder {plan.source_root}"
        raise UserError(f"{dest}: the {what} would overwrite {real}, {where}; refusing "
                        f"(use --in-place to convert the input itself)")


def _walk(src: Path, out: Path | None, in_place: bool, force: bool, root: str) -> list[Entry]:
    entries: list[Entry] = []
    seen_real: set[str] = set()

    def unreadable(error: OSError) -> None:
        path = Path(error.filename)
        # counted like a Python file that was not converted: what it holds is unknown
        entries.append(Entry(path, None, str(path.relative_to(src)), python=True,
                             problem=f"folder cannot be read: {error.strerror}; its files were not converted"))

    for folder, dirs, files in os.walk(src, onerror=unreadable):
        here = Path(folder)
        for name in sorted(d for d in dirs if os.path.islink(here / d)):
            entries.append(Entry(here / name, None, str((here / name).relative_to(src)), python=False,
                                 problem="symbolic link to a folder: not followed"))
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not os.path.islink(here / d))
        for name in sorted(files):
            path = here / name
            label = str(path.relative_to(src))
            dest = path if in_place else (out / path.relative_to(src) if out is not None else None)
            python = name.endswith(".py")
            if in_place and not python:
                continue    # in place, non-Python files are simply left where they are
            problem, info = _problem(path)
            entry = Entry(path, dest, label, python, problem)
            if problem is None and in_place:
                entry.problem, entry.notes = _in_place_problem(path, info, root, force)
                real = _real(path)
                if entry.problem is None and real in seen_real:   # a link to another input: convert once
                    entry.dest, entry.python = None, False
                    entry.notes.append(f"same file as {os.path.relpath(real, root)}: converted there")
                seen_real.add(real)
            entries.append(entry)
    entries.sort(key=lambda e: e.label)
    return entries
