"""Convert a file or a tree: safe writes, unparsable files carried over, parallel workers.

Safety rules: the input is never written unless ``in_place``; every output file
is written to a temporary file in its destination folder and renamed over the
target (``os.replace``), so a crash never leaves a half-written script; a file
that does not parse is copied (or, in place, left) untouched and reported, and
the rest of the tree still converts. Non-Python files of a tree are copied.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from msbridge.convert.catalog import Catalog
from msbridge.convert.progress import Progress
from msbridge.convert.report import FileReport, Report
from msbridge.convert.source import convert_source
from msbridge.errors import UserError

SKIP_DIRS = {"__pycache__", ".git", ".hg", ".svn", ".tox", ".venv", ".mypy_cache", ".pytest_cache"}

_catalog: Catalog | None = None


def _worker_catalog() -> Catalog:
    global _catalog
    if _catalog is None:
        _catalog = Catalog()
    return _catalog


def atomic_write(path: Path, text: str | bytes) -> None:
    """Write ``text`` to ``path`` via a temporary file and ``os.replace``.

    A symbolic link is written through (its target is replaced), so an in-place
    conversion keeps the tree's links as links.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _convert_one(job: tuple[str, str | None, str | None, str]) -> FileReport:
    """Convert ``src`` to ``dst`` (None: only report). Runs in a worker process."""
    src, dst, to, label = job
    raw = Path(src).read_bytes()
    try:
        code = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        report = FileReport(label, error=f"not UTF-8 text: {exc.reason} at byte {exc.start}")
        if dst is not None and dst != src:
            atomic_write(Path(dst), raw)
        return report
    out, report = convert_source(code, to, label, _worker_catalog())
    report.path = label
    if dst is not None and (dst != src or out != code):
        atomic_write(Path(dst), out if report.error is None else raw)
    return report


def _plan(src: Path, out: Path | None, in_place: bool) -> tuple[list[tuple[Path, Path | None]], list[tuple[Path, Path]]]:
    """(python files -> destination, other files to copy)."""
    if src.is_file():
        return [(src, src if in_place else out)], []
    pythons, others = [], []
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        if out is not None and not in_place and Path(root).resolve() == out.resolve():
            dirs[:] = []
            continue
        for name in sorted(files):
            path = Path(root) / name
            dest = path if in_place else (out / path.relative_to(src) if out is not None else None)
            (pythons if name.endswith(".py") else others).append((path, dest))
    return pythons, [(p, d) for p, d in others if d is not None and not in_place]


def convert_paths(src: str | os.PathLike, out: str | os.PathLike | None = None, *, in_place: bool = False,
                  to: str | None = None, jobs: int = 1, progress: bool | None = None) -> Report:
    """Convert a file or tree; returns the report. ``out`` None and not in place: a dry run."""
    src = Path(src)
    if not src.exists():
        raise UserError(f"{src}: no such file or directory")
    if to not in (None, "torch", "mindspore"):
        raise UserError(f"--to must be 'torch' or 'mindspore', got {to!r}")
    if in_place and out is not None:
        raise UserError("give either -o OUT or --in-place, not both")
    out = Path(out) if out is not None else None
    if out is not None and out.resolve() == src.resolve():
        raise UserError(f"{out}: the output is the input; use --in-place to overwrite the input")
    if out is not None and src.is_dir() and out.exists() and not out.is_dir():
        raise UserError(f"{out}: the input is a folder, so the output must be a folder")
    if out is not None and src.is_file() and out.is_dir():
        out = out / src.name
    pythons, others = _plan(src, out, in_place)
    base = src if src.is_dir() else src.parent
    jobs_list = [(str(p), None if d is None else str(d), to, str(p.relative_to(base)) if src.is_dir() else str(p))
                 for p, d in pythons]
    bar = Progress(len(jobs_list), progress)
    reports: list[FileReport] = []
    try:
        if jobs > 1 and len(jobs_list) > 1:
            _worker_catalog()  # load the tables once here; forked workers inherit them
            chunk = max(1, len(jobs_list) // (jobs * 8))
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for report in pool.map(_convert_one, jobs_list, chunksize=chunk):
                    reports.append(report)
                    bar.advance(report.path)
        else:
            for job in jobs_list:
                reports.append(_convert_one(job))
                bar.advance(job[3])
    finally:
        bar.close()
    for path, dest in others:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
    return Report(reports)
