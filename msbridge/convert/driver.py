"""Convert a file or a tree: checked destinations, atomic writes, bounded stop on Ctrl-C.

Safety rules:
- nothing is written before every destination is checked (``plan``): without
  ``in_place`` no input file, and nothing inside the input folder, is written;
- every file is written to a temporary file in its destination folder and
  renamed over the target (``os.replace``); only this (parent) process writes,
  and a Ctrl-C never interrupts a write, so no partial or temporary file stays;
- a file that cannot be read, decoded, parsed or converted is reported (and,
  with ``-o``, copied unchanged when its bytes could be read); the rest of the
  tree still converts. Non-Python files of a tree are copied.
- the first Ctrl-C stops at once (workers are killed: they never write), the
  report lists what was done; later ones are ignored while stopping.
"""
from __future__ import annotations

import functools
import os
import shutil
import tempfile
from pathlib import Path

from msbridge.convert.encoding import DecodeError, decode, encode
from msbridge.convert.gc_policy import conversion_gc
from msbridge.convert.interrupt import CtrlC
from msbridge.convert.plan import SKIP_DIRS, Entry, Plan, check_writable, make_plan  # noqa: F401 (SKIP_DIRS: API)
from msbridge.convert.progress import Progress
from msbridge.convert.report import FileReport, Report
from msbridge.errors import UserError

_catalog = None
_project = None   # the networks of the run's files (msbridge.convert.project), set before workers fork


def _worker_catalog():
    """The tables, parsed once per process (forked workers inherit the parent's copy)."""
    global _catalog
    if _catalog is None:
        from msbridge.convert.catalog import Catalog

        _catalog = Catalog()
    return _catalog


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and ``os.replace``.

    A symbolic link is written through (its target is replaced), so an in-place
    conversion keeps the tree's links as links.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    data = data.encode("utf-8") if isinstance(data, str) else data
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


def _read(path: str) -> bytes:
    """The file's bytes; O_NONBLOCK so that a file swapped for a FIFO since planning cannot block."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def convert_file(job: tuple[str, str | None, str]) -> tuple[FileReport, bytes | None]:
    """(report, bytes to write) for one Python file; never writes, never raises for a bad file.

    The bytes are the conversion, or the original when the file cannot be
    converted (so ``-o`` copies it unchanged), or None when it could not be read.
    """
    src, to, label = job
    try:
        raw = _read(src)
    except OSError as exc:
        return FileReport(label, error=f"cannot read: {exc.strerror}"), None
    try:
        code, encoding = decode(raw)
    except DecodeError as exc:
        return FileReport(label, error=str(exc)), raw
    from msbridge.convert.source import convert_source

    in_project = None if _project is None else functools.partial(_project.seen_by, src)
    try:
        out, report = convert_source(code, to, label, _worker_catalog(), in_project)
        report.path = label
        data = raw if report.error is not None or out == code else encode(out, encoding)
    except RecursionError:
        return FileReport(label, error="nested too deeply for the converter (RecursionError); left unchanged"), raw
    except MemoryError:
        return FileReport(label, error="ran out of memory converting it; left unchanged"), raw
    except DecodeError as exc:
        return FileReport(label, error=str(exc)), raw
    except Exception as exc:   # one bad file must not stop the tree: report it, keep it unchanged
        return FileReport(label, error=f"the converter failed on it ({type(exc).__name__}: {exc}); "
                                       "left unchanged"), raw
    return report, data


def _size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _crashed(job, exitcode) -> tuple[FileReport, None]:
    return FileReport(job[2], error=f"the converter process died on it (exit code {exitcode}); left unchanged"), None


def _copy(entry: Entry) -> FileReport | None:
    """Copy a non-Python file of the tree (atomically); a report only when that fails."""
    try:
        atomic_write(entry.dest, _read(str(entry.path)))
        shutil.copystat(entry.path, entry.dest)
    except OSError as exc:
        return FileReport(entry.label, error=f"cannot copy: {exc.strerror}", python=False)
    return None


def _store(entry: Entry, report: FileReport, data: bytes | None, in_place: bool) -> FileReport:
    report.notes.extend(entry.notes)
    if entry.dest is None or data is None or (in_place and (report.error is not None or not report.changed)):
        return report
    try:
        atomic_write(entry.dest, data)
    except OSError as exc:
        report.error = f"cannot write {entry.dest}: {exc.strerror}"
    return report


def convert_paths(src: str | os.PathLike, out: str | os.PathLike | None = None, *, in_place: bool = False,
                  to: str | None = None, jobs: int = 1, progress: bool | None = None, force: bool = False,
                  report_path: str | os.PathLike | None = None, ctrl_c: CtrlC | None = None) -> Report:
    """Convert a file or tree; returns the report. ``out`` None and not in place: a dry run.

    ``report_path`` is only checked here (never an input, never inside the input
    folder without ``in_place``); the caller writes it. ``ctrl_c``: the caller's
    SIGINT handling, when it must outlive this call (to write the report).
    """
    if to not in (None, "torch", "mindspore"):
        raise UserError(f"--to must be 'torch' or 'mindspore', got {to!r}")
    if in_place and out is not None:
        raise UserError("give either -o OUT or --in-place, not both")
    src = Path(src)
    out_text = None if out is None else os.fspath(out)
    out = None if out is None else Path(out)
    if out is not None and os.path.isdir(src):
        if out.exists() and not out.is_dir():
            raise UserError(f"{out}: the input is a folder, so the output must be a folder")
    elif out is not None and (out.is_dir() or out_text.endswith((os.sep, "/"))):
        out = out / src.name    # a folder given for one file: the file keeps its name there
    if out is not None and not in_place and not os.path.isdir(src) and os.path.realpath(out) == os.path.realpath(src):
        raise UserError(f"{out}: the output is the input; use --in-place to overwrite the input")
    plan = make_plan(src, out, in_place, force)
    if report_path is not None:
        check_report_path(plan, Path(report_path), in_place)
    global _project
    _worker_catalog()   # parsed before the collector's state is frozen (and, with -j N, before forking)
    import msbridge.convert.source  # noqa: F401 (LibCST and the rules too: loaded once, frozen, not once per worker)
    with conversion_gc():
        if os.path.isdir(src):   # a tree: a file's imports of the others' networks are known
            from msbridge.convert.project import Project

            _project = Project([e.path for e in plan.entries if e.problem is None and e.python], src, jobs)
        try:
            return _run(plan, to, jobs, progress, in_place, ctrl_c or CtrlC())
        finally:
            _project = None


def check_report_path(plan: Plan, path: Path, in_place: bool) -> None:
    if os.path.isdir(path):
        raise UserError(f"{path}: the report path is a folder; give a file name")
    real = os.path.realpath(path)
    if real in plan.inputs:
        raise UserError(f"{path}: the report would overwrite {real}, an input file; give another file name")
    if not in_place:
        check_writable(plan, path, "report")
    if any(e.dest is not None and os.path.realpath(e.dest) == real for e in plan.entries):
        raise UserError(f"{path}: the report would overwrite a converted file; give another file name")


def _run(plan: Plan, to: str | None, jobs: int, progress: bool | None, in_place: bool, stop: CtrlC) -> Report:
    entries = plan.entries
    pythons = [e for e in entries if e.problem is None and e.python]
    results: dict[int, FileReport] = {}
    for index, entry in enumerate(entries):
        if entry.problem is not None:
            results[index] = FileReport(entry.label, error=entry.problem, python=entry.python, notes=entry.notes)
        elif not entry.python and (entry.dest is None or in_place):
            results[index] = FileReport(entry.label, python=False, notes=entry.notes)
    index_of = {id(e): i for i, e in enumerate(entries)}
    bar = Progress(len(pythons), progress)
    interrupted = False
    try:
        with stop:
            for entry in entries:    # copies first: quick, and a tree is usable as soon as possible
                if entry.problem is None and not entry.python and entry.dest is not None and not in_place:
                    with stop.defer():
                        failed = _copy(entry)
                    stop.check()
                    if failed is not None:
                        results[index_of[id(entry)]] = failed
            job_list = [(str(e.path), to, e.label) for e in pythons]
            if jobs > 1 and len(job_list) > 1:
                from msbridge.convert.workers import WorkerPool

                # largest files first: the last job to finish is a small one, so workers end together
                order = sorted(range(len(job_list)), key=lambda i: -_size(pythons[i].path))
                with WorkerPool(min(jobs, len(job_list)), convert_file, _crashed) as pool:
                    for i, (report, data) in pool.imap_unordered([(i, job_list[i]) for i in order]):
                        with stop.defer():
                            results[index_of[id(pythons[i])]] = _store(pythons[i], report, data, in_place)
                        bar.advance(report.path)
                        stop.check()
            else:
                for entry, job in zip(pythons, job_list):
                    report, data = convert_file(job)
                    with stop.defer():
                        results[index_of[id(entry)]] = _store(entry, report, data, in_place)
                    bar.advance(report.path)
                    stop.check()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    done = [results[i] for i in sorted(results)]
    reached = {i for i in results}
    pending = sum(1 for i, e in enumerate(entries) if i not in reached)
    return Report(done, interrupted=interrupted, pending=pending if interrupted else 0)
