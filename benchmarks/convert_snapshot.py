"""Snapshot of what the converter writes for a corpus: every output and report, twice (convert, convert again).

    python benchmarks/convert_snapshot.py CORPUS OUT [--limit N]
    diff -r OLD_OUT NEW_OUT

Why: a speed change must not change one byte of any output or report. This converts each file of
``CORPUS/manifest.tsv`` in-process in its own direction (the CLI's per-file function, tables loaded
once), then converts the output again (the idempotence run), and writes both outputs and both JSON
reports under OUT. It also prints lines per CPU-second of the first pass (the converter's own cost,
no start-up). Much cheaper than corpus_measure.py (no API scan, no framework imports).
"""
from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

from msbridge.convert.encoding import decode
from msbridge.convert.driver import _worker_catalog, convert_file
from msbridge.convert.source import convert_source

TARGET = {"mindspore": "torch", "torch": "mindspore"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    with open(args.corpus / "manifest.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))[:args.limit]
    catalog = _worker_catalog()
    cpu_first = lines = 0.0
    for row in rows:
        src = args.corpus / row["local_file"]
        stem = row["local_file"].replace("/", "__")
        to = TARGET[row["framework"]]
        start = time.process_time()
        report, data = convert_file((str(src), to, row["local_file"]))
        cpu_first += time.process_time() - start
        lines += src.read_bytes().count(b"\n")
        (args.out / "first").mkdir(parents=True, exist_ok=True)
        (args.out / "first" / stem).write_bytes(data if data is not None else b"<none>")
        (args.out / "first" / f"{stem}.json").write_text(json.dumps(report.to_dict(), indent=1))
        if data is None or report.error:
            continue
        again, report2 = convert_source(decode(data)[0], to, row["local_file"], catalog)
        (args.out / "second").mkdir(parents=True, exist_ok=True)
        (args.out / "second" / stem).write_text(again)
        (args.out / "second" / f"{stem}.json").write_text(json.dumps(report2.to_dict(), indent=1))
    print(f"{len(rows)} files, {lines:,.0f} lines, first pass {cpu_first:.1f} CPU-s: "
          f"{lines / cpu_first:,.0f} lines per CPU-second")


if __name__ == "__main__":
    main()
