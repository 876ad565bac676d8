"""Execute the definitions of converted corpus files with the source framework unimportable.

    python benchmarks/corpus_measure.py /work/corpus --keep /work/corpus/results/converted
    python benchmarks/corpus_run_check.py /work/corpus/results/converted [--manifest M] [--out FILE]

`msbridge convert` may report a statement as converted when the rewrite fails
at run time. A user who has ported away from the source framework runs the
output without it, so this check does the same: per direction, one subprocess
puts a ``sys.meta_path`` blocker in front of every finder (``import mindspore``
raises ModuleNotFoundError when checking MindSpore -> torch output) and runs,
statement by statement, each file's import section and module-level
definitions: imports, ``def`` and ``class`` statements (bases, decorators,
defaults and class bodies are evaluated; function bodies are not), ``try``/``if``
blocks made only of those, and assignments whose calls are all framework or
msbridge APIs. Scripts' ``main`` code is never run. Then it builds up to three
of the file's models (classes subclassing the target framework's Module/Cell
whose ``__init__`` needs no argument, and factory functions without required
arguments returning one), so the rewritten ``__init__`` bodies run too.

With ``--forward``, each model built from both the original and the converted
file is also run: the original's weights and a random input it accepts go into
the conversion (by name), and the outputs must agree within float32 rounding
(``corpus_forward.py``): a rewritten ``construct``/``forward`` that computes
something else is a finding (``forward-differs``, ``forward-fails``).

A failed import of the file's own package (``from .layers import X``, ``from
src.config import config``), of a package not installed here or of the blocked
framework binds its names to permissive stand-ins, so one missing helper does
not hide the framework code after it; a failure that involves a stand-in, or a
name bound by code the check does not run, is ``inconclusive``.

Each failing statement is classified with the converter's own marks:
``flagged`` (the line carries ``# msbridge:``), ``source-import-kept`` (an
import of the source framework kept in a file the converter did not report
as fully converted), ``original-fails-too`` (a model build that fails with the
same exception type on the original file, run in the same way with its
framework present: the reference), or ``unflagged`` (nothing tells the user: the goal is 0).
"""
from __future__ import annotations

import argparse
import ast
import csv
import importlib
import importlib.abc
import inspect
import json
import linecache
import os
import re
import signal
import subprocess
import sys
import tempfile
import traceback
import types
from collections import Counter
from pathlib import Path

FRAMEWORKS = ("mindspore", "torch")
OWN = ("mindspore", "torch", "msbridge")   # never stubbed: a failure to import them is a finding
MARK = "# msbridge:"
STUB = "_msbridge_corpus_stub"


# ---- inside the worker subprocess ------------------------------------------------------------
class _Anything:
    """A stand-in for anything imported from a stub module."""

    def __init__(self, name: str = "stub"):
        self._name = name

    def __repr__(self):
        return f"<{STUB} {self._name}>"

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _Anything(f"{self._name}.{name}")

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and (isinstance(args[0], type) or callable(args[0])):
            return args[0]   # used as a decorator
        return _Anything(f"{self._name}()")

    def __mro_entries__(self, bases):
        return ()            # used as a base class: dropped

    @property
    def __signature__(self):   # inspect.signature(stand-in) must not pass for a real signature
        raise TypeError(f"{STUB}: a stand-in for a missing import has no signature")

    def __getitem__(self, key):
        return self

    def __iter__(self):
        return iter(())


class _Blocker(importlib.abc.MetaPathFinder):
    """Make one framework unimportable, as on a machine where it is not installed."""

    def __init__(self, blocked: str):
        self.blocked = blocked

    def find_spec(self, name, path=None, target=None):
        if name == self.blocked or name.startswith(self.blocked + "."):
            raise ModuleNotFoundError(f"No module named '{name}' (blocked: the source framework is absent)",
                                      name=name)
        return None


def _framework_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                root = (node.module or "" if isinstance(node, ast.ImportFrom) else a.name).split(".")[0]
                if root in OWN and not getattr(node, "level", 0):
                    names.add(a.asname or a.name.split(".")[0])
    return names


def _calls_ok(expr: ast.AST, fw_names: set[str]) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Call):
            root = node.func
            while isinstance(root, (ast.Attribute, ast.Call)):
                root = root.value if isinstance(root, ast.Attribute) else root.func
            if not (isinstance(root, ast.Name) and root.id in fw_names):
                return False
        if isinstance(node, (ast.Lambda, ast.Await, ast.Yield, ast.YieldFrom)):
            return False
    return True


def _is_main_test(test: ast.AST) -> bool:
    return "__main__" in ast.unparse(test)


def definitional(stmt: ast.stmt, fw_names: set[str]) -> bool:
    """Imports, defs, classes; blocks made only of them; assignments calling only framework APIs."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(stmt, ast.Try):
        return all(definitional(s, fw_names) for s in stmt.body)
    if isinstance(stmt, ast.If):
        return not _is_main_test(stmt.test) and all(definitional(s, fw_names) for s in [*stmt.body, *stmt.orelse])
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
        return _calls_ok(stmt.value, fw_names)
    return False


def _bind_stubs(stmt: ast.stmt, ns: dict) -> None:
    """After a failed statement, bind what it would have bound, so later ones are checked on their own."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        for a in stmt.names:
            if a.name != "*":
                ns.setdefault(a.asname or a.name.split(".")[0], _Anything(a.name))
    elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        ns.setdefault(stmt.name, _Anything(stmt.name))
    elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        # every name a target binds: `train_x, train_y = ...` too (a tuple target left unbound made the next use of
        # train_x an unflagged NameError, though the statement failed only on code this check skips)
        for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]):
            for n in ast.walk(t):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    ns.setdefault(n.id, _Anything(n.id))
    elif isinstance(stmt, (ast.Try, ast.If)):
        for s in [*stmt.body, *stmt.orelse]:
            _bind_stubs(s, ns)


def _failing_line(exc: BaseException, filename: str, default: int) -> int:
    line = default
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    return line


def _imports_root(stmt: ast.stmt) -> str | None:
    """The top-level package an import statement imports (None for anything else)."""
    if isinstance(stmt, ast.ImportFrom) and not stmt.level and stmt.module:
        return stmt.module.split(".")[0]
    if isinstance(stmt, ast.Import):
        return stmt.names[0].name.split(".")[0]
    return None


def _bound_names(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _reads_stand_in(stmt: ast.stmt, ns: dict) -> bool:
    """The statement reads a name bound to a stand-in (``TensorDataset(train_x, train_y)`` after the statement
    binding them failed): its error says nothing about the conversion, whatever its text."""
    return any(isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and isinstance(ns.get(n.id), _Anything)
               for n in ast.walk(stmt))


def _is_local_import(exc: BaseException, blocked: str) -> bool:
    """A relative import, or one of a package that is neither installed nor a framework."""
    if not isinstance(exc, ImportError):
        return False
    if "relative import" in str(exc):
        return True
    root = (getattr(exc, "name", None) or "").split(".")[0]
    return isinstance(exc, ModuleNotFoundError) and bool(root) and root not in OWN and root != blocked


def _imports_blocked_at(tree: ast.Module, line: int, blocked: str) -> bool:
    """Is the statement at ``line`` an import of the blocked framework?"""
    return any(isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno <= line <= (node.end_lineno or line)
               and _imports_root(node) == blocked for node in ast.walk(tree))


def check_file(path: str, blocked: str, builds: str, forward: tuple[str, str] | None = None) -> dict:
    """Run one converted file's definitions; one entry per failing top-level statement. ``forward``: (prefix of
    the per-model ``.npz`` files, 'export' or 'compare'), see corpus_forward.py."""
    source = Path(path).read_text(encoding="utf-8", errors="replace")
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return {"file": path, "ran": 0, "stubs": [], "failures": [
            {"line": exc.lineno or 0, "stmt": [0, 0], "error": f"SyntaxError: {exc.msg}", "cause": "error"}]}
    fw_names = _framework_names(tree)
    module = types.ModuleType("converted_module")   # a real module: dataclasses look it up in sys.modules
    module.__file__ = path
    sys.modules[module.__name__] = module
    ns = module.__dict__
    failures, ran, stubs, skipped_names = [], 0, [], set()
    for stmt in tree.body:
        if not definitional(stmt, fw_names):
            skipped_names |= _bound_names(stmt)
            continue
        ran += 1
        code = compile(ast.Module(body=[stmt], type_ignores=[]), path, "exec")
        signal.alarm(20)
        try:
            exec(code, ns)  # noqa: S102 - the point of this check: run the converted definitions
        except BaseException as exc:  # SystemExit and the like raised by the checked code count too
            text = f"{type(exc).__name__}: {exc}"
            _bind_stubs(stmt, ns)
            line = _failing_line(exc, path, stmt.lineno)
            if _is_local_import(exc, blocked):
                stubs.append(ast.unparse(stmt)[:120])
                continue
            if isinstance(exc, NameError) and getattr(exc, "name", None) in skipped_names:
                cause = "skipped-dependency"   # bound by code this check does not run
            elif any(mark in text for mark in (STUB, "_Anything")) or _reads_stand_in(stmt, ns):
                cause = "stub"
            elif isinstance(exc, ImportError) and "blocked: the source framework is absent" in text:
                cause = "blocked-import" if _imports_blocked_at(tree, line, blocked) else "blocked-indirect"
            else:
                cause = "error"
            failures.append({"line": line,
                             "stmt": [stmt.lineno, stmt.end_lineno or stmt.lineno],
                             "error": text[:300], "cause": cause})
        finally:
            signal.alarm(0)
    forwards: dict[str, object] = {}
    built = build_models(tree, ns, path, builds, failures, skipped_names, forward, forwards)
    return {"file": path, "ran": ran, "failures": failures, "stubs": stubs, "built": built, "forward": forwards}


# the model base class of each framework
MODEL_BASE = {"torch": ("torch.nn", "Module"), "mindspore": ("mindspore.nn", "Cell")}
MAX_BUILDS = 3
BIG = ("large", "huge", "giant", "xl", "101", "152", "200", "269", "_l_", "_h_")


def _no_required_args(obj) -> bool:
    try:
        params = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params)


def _unmoded(call: ast.Call) -> ast.Call:
    """``Net(...)`` of ``Net(...).eval()`` / ``.set_train()``: the default mode the converter writes after a build."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in ("eval", "set_train", "train") and isinstance(func.value, ast.Call):
        return func.value
    return call


def _build_candidates(tree: ast.Module, ns: dict, base: type) -> list[str]:
    """Model classes of the file constructible without arguments, then factories returning one."""
    models = [n.name for n in tree.body if isinstance(n, ast.ClassDef) and isinstance(ns.get(n.name), type)
              and issubclass(ns[n.name], base)]
    out = [m for m in models if _no_required_args(ns[m])]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and callable(ns.get(node.name)) and _no_required_args(ns[node.name]):
            returns = [_unmoded(r.value) for r in ast.walk(node)
                       if isinstance(r, ast.Return) and isinstance(r.value, ast.Call)]
            if any(isinstance(c.func, ast.Name) and c.func.id in models for c in returns):
                out.append(node.name)
    return [name for name in out if not any(b in name.lower() for b in BIG)][:MAX_BUILDS]


def _involves_stub(exc: BaseException, path: str) -> bool:
    """Did a stand-in for a missing import reach the failing line (so it proves nothing)?"""
    tb, frame = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            frame = tb.tb_frame
        tb = tb.tb_next
    if frame is None:
        return False
    line = linecache.getline(path, frame.f_lineno)
    values = []
    for name in re.findall(r"\bself\.(\w+)|\b(\w+)\b", line):
        attr, plain = name
        if attr:
            values.append(getattr(frame.f_locals.get("self"), attr, None))
        elif plain:
            values.append(frame.f_locals.get(plain, frame.f_globals.get(plain)))
    flat = [v for x in values for v in (x if isinstance(x, (list, tuple)) else [x])]
    return any(isinstance(v, _Anything) for v in flat)


def build_models(tree: ast.Module, ns: dict, path: str, framework: str, failures: list,
                 skipped_names: set[str], forward: tuple[str, str] | None = None,
                 forwards: dict | None = None) -> list[str]:
    """Construct the file's ``framework`` models (``__init__`` bodies run): most rewrites of model files are there.
    With ``forward``, each built model is also run (corpus_forward.py) and ``forwards[name]`` says how it went."""
    module, name = MODEL_BASE[framework]
    try:
        base = getattr(importlib.import_module(module), name)
    except Exception:   # the target framework itself failed to import: reported by the definitions pass
        return []
    built = []
    for candidate in _build_candidates(tree, ns, base):
        signal.alarm(30)
        try:
            model = ns[candidate]()
            built.append(candidate)
        except BaseException as exc:
            _build_failed(exc, path, candidate, skipped_names, failures)
            continue
        finally:
            signal.alarm(0)
        if forward is not None:
            forwards[candidate] = _forward(model, framework, f"{forward[0]}-{candidate}.npz", forward[1])
    return built


def _forward(model, framework: str, npz: str, mode: str):
    import corpus_forward
    try:
        if mode == "export":
            return corpus_forward.export(model, framework, npz)
        if not os.path.exists(npz):
            return {"verdict": "not-exported", "detail": "the original model was not run"}
        return corpus_forward.compare(model, framework, npz)
    except BaseException as exc:   # noqa: BLE001 - a run check reports, never stops
        text = f"{type(exc).__name__}: {exc}"[:300]
        return f"failed: {text}" if mode == "export" else {"verdict": "inconclusive", "detail": text}


def _build_failed(exc: BaseException, path: str, candidate: str, skipped_names: set[str], failures: list) -> None:
    text = f"{type(exc).__name__}: {exc}"
    stub = any(mark in text for mark in (STUB, "_Anything")) or _involves_stub(exc, path)
    if isinstance(exc, AttributeError) and getattr(exc, "obj", None) is not None \
            and not isinstance(exc.obj, _Anything):
        stub = False   # a real object lacks the attribute: stand-ins elsewhere on the line are beside the point
    skipped = isinstance(exc, NameError) and getattr(exc, "name", None) in skipped_names
    failures.append({"line": _failing_line(exc, path, 0), "stmt": [0, 0], "error": text[:300],
                     "cause": "stub" if stub else "skipped-dependency" if skipped else "build",
                     "build": candidate})


def _timeout(signum, frame):
    raise TimeoutError("a module-level statement ran over 20 s")


def worker(blocked: str, builds: str, files: list[str], forward: tuple[str, str] | None = None) -> None:
    """``blocked``: the framework made unimportable ('-': none); ``builds``: whose models to construct;
    ``forward``: (folder, 'export' or 'compare'): run each built model too, keyed by the file's position."""
    signal.signal(signal.SIGALRM, _timeout)
    if blocked != "-":
        sys.meta_path.insert(0, _Blocker(blocked))
    if builds == "torch":
        import torch
        torch.set_num_threads(1)
    sys.argv = ["converted.py"]
    out = sys.stdout
    sys.stdout = open(os.devnull, "w")   # module-level prints of the checked code
    for index, f in enumerate(files):
        mode = None if forward is None else (os.path.join(forward[0], str(index)), forward[1])
        print(json.dumps(check_file(f, blocked, builds, mode)), file=out, flush=True)


# ---- in the parent ---------------------------------------------------------------------------
def _statement_lines(source: str) -> list[tuple[int, int, int]]:
    """(first, last, header_last) of every statement, innermost last."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt):
            body = getattr(node, "body", None)
            header_last = (body[0].lineno - 1) if isinstance(body, list) and body else (node.end_lineno or node.lineno)
            out.append((node.lineno, node.end_lineno or node.lineno, header_last))
    return out


def is_flagged(source_lines: list[str], spans: list[tuple[int, int, int]], line: int) -> bool:
    """Does the statement holding ``line`` (or the comment lines just above it) carry a mark?"""
    inner = [s for s in spans if s[0] <= line <= s[1]]
    if not inner:
        return False
    first, last, header_last = max(inner, key=lambda s: s[0])
    if first < line <= header_last or line == first:
        last = min(last, header_last)
    elif header_last < last:   # inside a compound body: the innermost simple statement
        pass
    lines = list(range(first, last + 1))
    k = first - 1
    while k >= 1 and source_lines[k - 1].lstrip().startswith("#"):
        lines.append(k)
        k -= 1
    return any(MARK in source_lines[n - 1] for n in lines if 0 < n <= len(source_lines))


def classify(result: dict, complete: bool, original_failed: dict[str, str] | None = None) -> list[dict]:
    """A verdict per failure; ``original_failed``: build -> its error on the original file."""
    original_failed = original_failed or {}
    source = Path(result["file"]).read_text(encoding="utf-8", errors="replace")
    source_lines = source.splitlines()
    try:
        spans = _statement_lines(source)
    except SyntaxError:
        spans = []
    out = []
    for f in result["failures"]:
        if f["cause"] in ("stub", "skipped-dependency"):
            verdict = "inconclusive"
        elif _same_exception(original_failed.get(f.get("build")), f["error"]):
            verdict = "original-fails-too"   # built with defaults the original does not accept either
        elif is_flagged(source_lines, spans, f["line"]):
            verdict = "flagged"
        elif f["cause"] == "blocked-import" and not complete:
            verdict = "source-import-kept"
        else:
            verdict = "unflagged"
        text = source_lines[f["line"] - 1].strip() if 0 < f["line"] <= len(source_lines) else ""
        out.append({**f, "verdict": verdict, "text": text[:160],
                    "original_error": original_failed.get(f.get("build"), "")})
    return out


def _same_exception(original: str | None, converted: str) -> bool:
    """The original build failed with the same exception type (a different one proves nothing), and not
    on a stand-in: a stub's TypeError says nothing of the converted code's TypeError."""
    return original is not None and original.split(":", 1)[0] == converted.split(":", 1)[0] \
        and not any(mark in original for mark in (STUB, "_Anything"))


def run_direction(files: list[Path], blocked: str, timeout: int, builds: str | None = None,
                  forward: tuple[str, str] | None = None) -> list[dict]:
    """Check ``files`` in one subprocess with ``blocked`` unimportable ('-': none), building ``builds`` models;
    ``forward``: (folder, 'export' or 'compare'), see ``worker``."""
    builds = builds or ("torch" if blocked == "mindspore" else "mindspore")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", blocked, builds,
           *(["--forward", *forward] if forward else []), *map(str, files)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    done = {r["file"] for r in results}
    for f in files:   # a worker that died mid-way: say so for the files it never reached
        if str(f) not in done:
            results.append({"file": str(f), "ran": 0, "stubs": [], "failures": [
                {"line": 0, "stmt": [0, 0], "cause": "error", "error": f"worker exited {proc.returncode}: "
                 + proc.stderr.strip()[-200:]}]})
    return results


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        if argv[3:4] == ["--forward"]:
            worker(argv[1], argv[2], argv[6:], (argv[4], argv[5]))
        else:
            worker(argv[1], argv[2], argv[3:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("converted", type=Path, help="folder written by corpus_measure.py --keep")
    ap.add_argument("--manifest", type=Path, help="default: <converted>/../../manifest.tsv")
    ap.add_argument("--out", type=Path, help="TSV of failing statements (default: <converted>/../run_check.tsv)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per direction")
    ap.add_argument("--forward", action="store_true",
                    help="also run each built model, original and conversion, with the same weights and input "
                         "(corpus_forward.py) and compare the outputs")
    args = ap.parse_args(argv)
    manifest = args.manifest or args.converted.parent.parent / "manifest.tsv"
    out = args.out or args.converted.parent / "run_check.tsv"
    with open(manifest, newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if (args.converted / r["local_file"]).exists()]
    verdicts: dict[str, Counter] = {}
    table = []
    for fw in FRAMEWORKS:
        mine = [r for r in rows if r["framework"] == fw]
        if not mine:
            continue
        files = [args.converted / r["local_file"] for r in mine]
        # the same builds on the original files, with their own framework present: the reference
        originals = [manifest.parent / r["local_file"] for r in mine]
        with tempfile.TemporaryDirectory(prefix="msbridge_forward_") as runs:
            forward = (runs, "export") if args.forward else None
            reference = {r["file"]: r for r in run_direction(originals, "-", args.timeout, builds=fw, forward=forward)}
            forward = (runs, "compare") if args.forward else None
            results = {r["file"]: r for r in run_direction(files, fw, args.timeout, forward=forward)}
        counts = verdicts.setdefault(f"{fw} -> {'torch' if fw == 'mindspore' else 'mindspore'}", Counter())
        for r, path in zip(mine, files):
            result = results[str(path)]
            report = json.loads((path.parent / (path.name + ".report.json")).read_text())
            complete = all(u["status"] == "converted" for u in report)
            original = reference[str(manifest.parent / r["local_file"])]
            original_failed = {f["build"]: f["error"] for f in original["failures"] if "build" in f}
            classified = classify(result, complete, original_failed)
            counts["original models built"] += len(original.get("built", []))
            counts["files"] += 1
            counts["statements run"] += result["ran"]
            counts["models built"] += len(result.get("built", []))
            counts["model builds tried"] += len(result.get("built", [])) + sum("build" in f for f in result["failures"])
            counts["files with no failure"] += not classified
            counts["files with an unflagged failure"] += any(c["verdict"] == "unflagged" for c in classified)
            for model, outcome in result.get("forward", {}).items():
                counts[f"forward {outcome['verdict']}"] += 1
                if outcome["verdict"] != "equal":   # differs/fails: findings; inconclusive/not-exported: why not
                    table.append([fw, r["kind"], r["repo"], r["path"], 0,
                                  f"forward-{outcome['verdict']}" + ("" if complete else " (file has marks)"),
                                  "forward", model, outcome["detail"], "", ""])
            for model, outcome in original.get("forward", {}).items():
                counts["original forward " + ("run" if outcome.startswith("exported") else outcome)] += 1
            for c in classified:
                counts[c["verdict"]] += 1
                table.append([fw, r["kind"], r["repo"], r["path"], c["line"], c["verdict"], c["cause"],
                              c.get("build", ""), c["error"], c["text"], c["original_error"]])
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["framework", "kind", "repo", "path", "line", "verdict", "cause", "build", "error", "text",
                    "original_error"])
        w.writerows(table)
    for direction, counts in verdicts.items():
        print(f"{direction}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"failing statements: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
