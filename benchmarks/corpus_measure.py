"""Measure `msbridge convert` on a corpus of real files: rates, idempotence, crashes, API frequency.

    python benchmarks/corpus_measure.py /work/corpus [--manifest M] [--out DIR] [--top 200] [--limit N]
                                        [--keep DIR] [--tables-from KEPT] [--no-merge]

The corpus is not part of msbridge (it is third-party code); its manifest.tsv
lists ``framework kind repo path commit local_file lines``. Each file is
converted in-process (``msbridge.cli.main``) in its own direction (MindSpore
files --to torch, torch files --to mindspore) into a temporary folder, then the
output is converted again with the same ``--to`` to check that a second run is
a byte-identical no-op. Written to ``--out`` (default ``<corpus>/results``):

* ``summary.md`` / ``summary.json``: per direction and kind, the pooled
  conversion rate (converted / API uses in the converter's own JSON report),
  files fully converted, idempotent files, crashes;
* ``files.tsv``: the same per file;
* ``api_<direction>.tsv`` (every API) and ``api_<direction>.md`` (top N): each
  framework API referenced in the sources, found with ``ast`` (import aliases
  resolved: ``import mindspore.nn as nn`` makes ``nn.Conv2d`` mindspore.nn.Conv2d),
  counted as call sites and as all uses, with what the converter reported for
  each use, and the cumulative share of model-definition call sites;
* ``unconverted_<direction>.md``: the most frequent APIs not converted.

Spellings of one real API (``mindspore.ops.operations.Reshape``, ``mindspore.ops.Reshape``) are merged
into one row by resolving them in the installed frameworks (``--no-merge`` keeps them apart).
``--keep`` saves the converted files and their reports for ``corpus_run_check.py``.

Why an independent ``ast`` count: the converter's report only lists what it
noticed; counting the sources separately shows uses it never reported
(``unreported``), so the table is not limited by the tool it measures.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import csv
import importlib
import inspect
import io
import json
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

FRAMEWORKS = ("mindspore", "torch")
TARGET = {"mindspore": "torch", "torch": "mindspore"}
DIRECTION = {"mindspore": "ms2torch", "torch": "torch2ms"}
STATUSES = ("converted", "review", "unsupported")


# ---- the API scan (sources only; independent of the converter) ------------------------------
@dataclass
class Use:
    api: str        # qualified name, import aliases resolved
    kind: str       # call | base | ref
    line: int       # line of the reference
    stmt: tuple[int, int]   # first/last line of the innermost enclosing statement


def import_aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> qualified name for every framework import in the file (module level wins)."""
    found: dict[str, str] = {}
    module_level = set()
    for node in ast.walk(tree):
        pairs = []
        if isinstance(node, ast.Import):
            for a in node.names:
                local = a.asname or a.name.split(".")[0]
                pairs.append((local, a.name if a.asname else a.name.split(".")[0]))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                if a.name != "*":
                    pairs.append((a.asname or a.name, f"{node.module}.{a.name}"))
        for local, qual in pairs:
            if qual.split(".")[0] not in FRAMEWORKS:
                continue
            top = getattr(node, "col_offset", 1) == 0
            if local not in found or (top and local not in module_level):
                found[local] = qual
                if top:
                    module_level.add(local)
    return found


def _chain(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def scan_uses(source: str) -> list[Use]:
    """Every reference to a framework API: maximal dotted chains whose root is a framework import."""
    tree = ast.parse(source)
    aliases = import_aliases(tree)
    if not aliases:
        return []
    uses: list[Use] = []

    def visit(node: ast.AST, stmt: tuple[int, int], role: str | None) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return
        if isinstance(node, ast.stmt):
            stmt = (node.lineno, node.end_lineno or node.lineno)
        if isinstance(node, (ast.Attribute, ast.Name)):
            parts = _chain(node)
            # loads, and stores into a framework attribute (`cudnn.benchmark = True`), not rebinding a name
            used = isinstance(node.ctx, ast.Load) or isinstance(node, ast.Attribute)
            if parts is not None and used and parts[0] in aliases:
                uses.append(Use(".".join([aliases[parts[0]], *parts[1:]]), role or "ref", node.lineno, stmt))
                return
            if parts is not None:   # a chain on a non-framework root: nothing inside can be one
                return
        if isinstance(node, ast.Call):
            visit(node.func, stmt, "call")
            for child in [*node.args, *node.keywords]:
                visit(child, stmt, None)
            return
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                visit(base, stmt, "base")
            for child in [*node.keywords, *node.decorator_list, *node.body]:
                visit(child, stmt, None)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, stmt, None)

    visit(tree, (1, 1), None)
    return uses


def match_report(uses: list[Use], report_apis: list[dict]) -> tuple[list[tuple[Use, str, str]], list[dict]]:
    """Pair each scanned use with a report entry of the same statement and the same last name.

    Returns (use, status, canonical api) triples (status ``unreported`` when the
    converter listed nothing for it) and the report entries no use matched.
    """
    pool: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for entry in report_apis:
        pool[(entry["line"], entry["api"].rsplit(".", 1)[-1])].append(entry)
    out = []
    for use in uses:
        last = use.api.rsplit(".", 1)[-1]
        hit = None
        for line in [use.stmt[0], use.line, *range(use.stmt[0], use.stmt[1] + 1)]:
            if pool.get((line, last)):
                hit = pool[(line, last)].pop(0)
                break
        out.append((use, hit["status"], hit["api"]) if hit else (use, "unreported", use.api))
    left = [e for entries in pool.values() for e in entries]
    return out, left


# ---- conversion ------------------------------------------------------------------------------
@dataclass
class FileResult:
    framework: str
    kind: str
    repo: str
    path: str
    lines: int
    rc: int | None = None
    crash: str | None = None
    idem_crash: str | None = None
    idempotent: bool | None = None
    summary: dict = field(default_factory=dict)
    apis: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def _convert(src: Path, dst: Path, to: str, report: Path) -> tuple[int | None, str | None]:
    """Run `msbridge convert` in this process; (exit status, crash text)."""
    from msbridge import cli

    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = cli.main(["convert", str(src), "--to", to, "-o", str(dst), "--report", str(report), "-q"])
    except Exception:   # a converter crash is a finding, not the end of the run
        return None, traceback.format_exc(limit=-3).strip().splitlines()[-1]
    if rc not in (0, 1):
        return rc, err.getvalue().strip()[-300:] or f"exit status {rc}"
    return rc, None


def convert_file(corpus: Path, row: dict, tmp: Path) -> FileResult:
    fw = row["framework"]
    res = FileResult(fw, row["kind"], row["repo"], row["path"], int(row["lines"]))
    src = corpus / row["local_file"]
    stem = row["local_file"].replace("/", "__")
    out1, out2 = tmp / "first" / stem, tmp / "second" / stem
    rep1, rep2 = tmp / f"{stem}.1.json", tmp / f"{stem}.2.json"
    out1.parent.mkdir(parents=True, exist_ok=True)
    out2.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    res.rc, res.crash = _convert(src, out1, TARGET[fw], rep1)
    res.seconds = time.perf_counter() - start
    if res.crash is None and rep1.exists():
        data = json.loads(rep1.read_text())
        f = data["files"][0]
        res.summary = {k: f[k] for k in ("seen", "converted", "review", "unsupported", "rate", "changed", "error")}
        res.apis = f["apis"]
        if out1.exists():
            rc2, res.idem_crash = _convert(out1, out2, TARGET[fw], rep2)
            res.idempotent = res.idem_crash is None and out2.exists() and out1.read_bytes() == out2.read_bytes()
    return res


# ---- aggregation -----------------------------------------------------------------------------
def pooled(results: list[FileResult]) -> dict:
    seen = sum(r.summary.get("seen", 0) for r in results)
    conv = sum(r.summary.get("converted", 0) for r in results)
    with_api = [r for r in results if r.summary.get("seen", 0)]
    return {
        "files": len(results),
        "lines": sum(r.lines for r in results),
        "api_uses": seen,
        "converted": conv,
        "review": sum(r.summary.get("review", 0) for r in results),
        "unsupported": sum(r.summary.get("unsupported", 0) for r in results),
        "pooled_rate": round(conv / seen, 4) if seen else None,
        "files_fully_converted": sum(r.rc == 0 for r in results),
        "files_with_api": len(with_api),
        "files_with_api_fully_converted": sum(r.rc == 0 for r in with_api),
        "unparsable": sum(bool(r.summary.get("error")) for r in results),
        "idempotent": sum(bool(r.idempotent) for r in results),
        "not_idempotent": [r.path for r in results if r.idempotent is False],
        "crashes": sum(r.crash is not None or r.idem_crash is not None for r in results),
        "crashed": [f"{r.repo}/{r.path}: {r.crash or r.idem_crash}" for r in results if r.crash or r.idem_crash],
        "seconds": round(sum(r.seconds for r in results), 2),
    }


def _resolve(name: str):
    """The real framework object ``name`` names (importing its longest module prefix), or None."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:   # not a module (or a module that fails to import here): try a shorter prefix
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except Exception:
            return None
        return obj
    return None


def merge_aliases(table: dict[str, dict]) -> dict[str, dict]:
    """One row per real API: ``mindspore.ops.operations.Reshape`` and ``mindspore.ops.Reshape`` are one class.

    Only classes, functions and modules are merged (two constants equal to 0 are not one API); the row
    keeps the shortest name and lists the others in ``aliases``.
    """
    groups: dict[int, list[str]] = {}
    keep = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in table:
            obj = _resolve(name)
            if obj is not None and (inspect.isclass(obj) or inspect.isroutine(obj) or inspect.ismodule(obj)):
                keep[id(obj)] = obj   # hold a reference so ids stay unique
                groups.setdefault(id(obj), []).append(name)
            else:
                groups.setdefault(id(name), []).append(name)
    merged = {}
    for names in groups.values():
        names.sort(key=lambda n: (n.count("."), len(n), n))
        row = dict(table[names[0]])
        row["kinds"] = Counter(row["kinds"])
        for other in names[1:]:
            for key, value in table[other].items():
                if key == "kinds":
                    row["kinds"].update(value)
                elif isinstance(value, (int, float)) and key != "api":
                    row[key] += value
        row["aliases"] = ",".join(names[1:])
        merged[names[0]] = row
    return merged


def api_table(corpus: Path, rows: list[dict], results: dict[str, FileResult],
              merge: bool = True) -> tuple[list[dict], Counter]:
    """One row per API: call sites and uses, by kind of file, with the converter's statuses."""
    table: dict[str, dict] = {}
    left_over: Counter = Counter()
    for row in rows:
        res = results[row["local_file"]]
        try:
            uses = scan_uses((corpus / row["local_file"]).read_text(encoding="utf-8", errors="replace"))
        except SyntaxError:
            continue
        matched, left = match_report(uses, res.apis)
        left_over.update(e["api"] for e in left)
        for use, status, canonical in matched:
            t = table.setdefault(canonical, {"api": canonical, "aliases": "", "calls": 0, "uses": 0, "calls_model": 0,
                                             "calls_train": 0, "calls_model_converted": 0, "kinds": Counter(),
                                             **{s: 0 for s in (*STATUSES, "unreported")}})
            t["uses"] += 1
            t["kinds"][use.kind] += 1
            t[status] += 1
            if use.kind == "call":
                t["calls"] += 1
                t[f"calls_{row['kind']}"] += 1
                t["calls_model_converted"] += row["kind"] == "model" and status == "converted"
    if merge:
        table = merge_aliases(table)
    out = sorted(table.values(), key=lambda t: (-t["calls_model"], -t["calls"], -t["uses"], t["api"]))
    total_model = sum(t["calls_model"] for t in out) or 1
    cum = 0
    for rank, t in enumerate(out, 1):
        cum += t["calls_model"]
        t["rank"] = rank
        t["cum_share_model_calls"] = round(cum / total_model, 4)
        t["kinds"] = ",".join(f"{k}:{v}" for k, v in sorted(t["kinds"].items()))
        t["conv_rate"] = round(t["converted"] / t["uses"], 3)
    return out, left_over


COLUMNS = ("rank", "api", "calls_model", "calls_model_converted", "calls_train", "calls", "uses", "kinds",
           "converted", "review", "unsupported", "unreported", "conv_rate", "cum_share_model_calls", "aliases")


def write_tables(out: Path, direction: str, table: list[dict], top: int, left_over: Counter) -> dict:
    with open(out / f"api_{direction}.tsv", "w", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS, delimiter="\t", extrasaction="ignore")
        w.writeheader()
        w.writerows(table)
    n95 = next((t["rank"] for t in table if t["cum_share_model_calls"] >= 0.95), len(table))
    lines = [f"# API frequency, {direction} (top {top} of {len(table)})", "",
             "Sorted by model-definition call sites. `calls_*`: call sites; `uses`: every reference "
             "(calls, base classes, annotations, attributes); statuses are per use, from the converter's "
             "report (`unreported`: the converter listed nothing for it).", "",
             f"{n95} APIs make up 95% of model-definition call sites.", "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for t in table[:top]:
        lines.append("| " + " | ".join(f"`{t[c]}`" if c == "api" else str(t[c]) for c in COLUMNS) + " |")
    if left_over:
        lines += ["", "Report entries with no matching source reference (methods, implicit uses):", ""]
        lines += [f"- `{api}`: {n}" for api, n in left_over.most_common(30)]
    (out / f"api_{direction}.md").write_text("\n".join(lines) + "\n")
    unconverted = sorted(table, key=lambda t: -(t["uses"] - t["converted"]))
    ulines = [f"# Most frequent unconverted APIs, {direction}", "",
              "| api | not converted | review | unsupported | unreported | uses | calls_model |",
              "|---|---|---|---|---|---|---|"]
    for t in unconverted[:50]:
        ulines.append(f"| `{t['api']}` | {t['uses'] - t['converted']} | {t['review']} | {t['unsupported']} | "
                      f"{t['unreported']} | {t['uses']} | {t['calls_model']} |")
    (out / f"unconverted_{direction}.md").write_text("\n".join(ulines) + "\n")
    return {"apis": len(table), "apis_for_95pct_model_calls": n95,
            "model_call_sites": sum(t["calls_model"] for t in table),
            "model_call_sites_converted": sum(t["calls_model_converted"] for t in table),
            "model_call_sites_converted_share": _share(table)}


def _share(table: list[dict]) -> float | None:
    """Share of model-definition call sites the converter reported converted (issue 13 asks >= 90%)."""
    total = sum(t["calls_model"] for t in table)
    return round(sum(t["calls_model_converted"] for t in table) / total, 4) if total else None


def summary_md(summary: dict) -> str:
    keys = ("files", "lines", "api_uses", "converted", "review", "unsupported", "pooled_rate",
            "files_fully_converted", "files_with_api", "files_with_api_fully_converted", "idempotent",
            "crashes", "unparsable", "seconds")
    lines = ["# msbridge convert on the corpus", "", "| direction/kind | " + " | ".join(keys) + " |",
             "|" + "---|" * (len(keys) + 1)]
    for name, s in summary["groups"].items():
        lines.append(f"| {name} | " + " | ".join(str(s[k]) for k in keys) + " |")
    lines += ["", "API tables:", ""]
    for d, a in summary["api"].items():
        lines.append(f"- {d}: {a}")
    for name, s in summary["groups"].items():
        if s["not_idempotent"] or s["crashed"]:
            lines += ["", f"## {name}", ""]
            lines += [f"- not idempotent: {p}" for p in s["not_idempotent"]]
            lines += [f"- crash: {c}" for c in s["crashed"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--manifest", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--top", type=int, default=200)
    ap.add_argument("--limit", type=int, default=0, help="at most N files per framework (0: all)")
    ap.add_argument("--keep", type=Path, help="keep the converted files here (for corpus_run_check.py)")
    ap.add_argument("--no-merge", action="store_true",
                    help="keep each spelling of an API apart (default: merge the aliases of one real API)")
    ap.add_argument("--tables-from", type=Path, metavar="KEPT",
                    help="only rebuild the API tables from the reports of an earlier --keep run")
    args = ap.parse_args(argv)
    manifest = args.manifest or args.corpus / "manifest.tsv"
    out = args.out or args.corpus / "results"
    out.mkdir(parents=True, exist_ok=True)
    with open(manifest, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    kinds = sorted({r["kind"] for r in rows} - {"model", "train"})
    if kinds:   # the API tables count model-definition and training call sites apart, and nothing else
        ap.error(f"{manifest}: kind must be 'model' or 'train' (helpers and utilities count as 'train'), got {kinds}")
    if args.limit:
        per: Counter = Counter()
        rows = [r for r in rows if (per.update([r["framework"]]) or per[r["framework"]] <= args.limit)]
    results: dict[str, FileResult] = {}
    if args.tables_from:
        summary = {"api": {}}
        for fw in FRAMEWORKS:
            fw_rows = [r for r in rows if r["framework"] == fw]
            for r in fw_rows:
                kept = args.tables_from / (r["local_file"] + ".report.json")
                results[r["local_file"]] = FileResult(fw, r["kind"], r["repo"], r["path"], int(r["lines"]),
                                                      apis=json.loads(kept.read_text()) if kept.exists() else [])
            table, left = api_table(args.corpus, fw_rows, results, merge=not args.no_merge)
            summary["api"][DIRECTION[fw]] = write_tables(out, DIRECTION[fw], table, args.top, left)
        if (out / "summary.json").exists():   # refresh the API part of an earlier full run's summary
            full = json.loads((out / "summary.json").read_text())
            full["api"] = summary["api"]
            (out / "summary.json").write_text(json.dumps(full, indent=2) + "\n")
            (out / "summary.md").write_text(summary_md(full))
        print(json.dumps(summary, indent=2))
        return 0
    with tempfile.TemporaryDirectory(prefix="corpus_measure_") as tmp_name:
        tmp = Path(tmp_name)
        for i, row in enumerate(rows, 1):
            results[row["local_file"]] = convert_file(args.corpus, row, tmp)
            r = results[row["local_file"]]
            print(f"[{i}/{len(rows)}] {row['local_file']}: rc={r.rc} rate={r.summary.get('rate')} "
                  f"idem={r.idempotent} {r.seconds:.2f}s" + (f" CRASH {r.crash}" if r.crash else ""),
                  file=sys.stderr)
        if args.keep:
            for row in rows:
                stem = row["local_file"].replace("/", "__")
                first = tmp / "first" / stem
                if first.exists():
                    dst = args.keep / row["local_file"]
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    dst.write_bytes(first.read_bytes())
                    (dst.parent / (dst.name + ".report.json")).write_text(
                        json.dumps(results[row["local_file"]].apis))
    summary: dict = {"groups": {}, "api": {}}
    for fw in FRAMEWORKS:
        d = DIRECTION[fw]
        group = [results[r["local_file"]] for r in rows if r["framework"] == fw]
        summary["groups"][d] = pooled(group)
        for kind in ("train", "model"):
            summary["groups"][f"{d}/{kind}"] = pooled([g for g in group if g.kind == kind])
        fw_rows = [r for r in rows if r["framework"] == fw]
        table, left = api_table(args.corpus, fw_rows, results, merge=not args.no_merge)
        summary["api"][d] = write_tables(out, d, table, args.top, left)
    with open(out / "files.tsv", "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["framework", "kind", "repo", "path", "lines", "rc", "seen", "converted", "review",
                    "unsupported", "rate", "idempotent", "crash", "seconds"])
        for row in rows:
            r = results[row["local_file"]]
            s = r.summary
            w.writerow([r.framework, r.kind, r.repo, r.path, r.lines, r.rc, s.get("seen"), s.get("converted"),
                        s.get("review"), s.get("unsupported"), s.get("rate"), r.idempotent,
                        r.crash or r.idem_crash or "", f"{r.seconds:.2f}"])
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out / "summary.md").write_text(summary_md(summary))
    print(summary_md(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
