"""Run README python examples in ONE interpreter (frameworks imported once), each as its own ``__main__``.

Usage: ``python readme_runner.py RESULTS.json EXAMPLE.py...``. Each example runs through
``runpy.run_path`` in a fresh namespace with its stdout/stderr (file descriptors 1 and 2, so C-level
output too) captured to its own files; the results file gets ``{path: {"ok", "stdout", "stderr"}}``.
"""
import json
import os
import runpy
import sys
import tempfile
import traceback


def run_one(path):
    saved = os.dup(1), os.dup(2)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        sys.stdout.flush(), sys.stderr.flush()
        os.dup2(out.fileno(), 1), os.dup2(err.fileno(), 2)
        ok = True
        try:
            sys.argv = [path]
            runpy.run_path(path, run_name="__main__")
        except SystemExit as exit_:
            ok = exit_.code in (None, 0)
            if not ok:
                print(f"SystemExit: {exit_.code}", file=sys.stderr)
        except BaseException:  # noqa: BLE001 - report any failure of the example as the person would see it
            ok = False
            traceback.print_exc()
        finally:
            sys.stdout.flush(), sys.stderr.flush()
            os.dup2(saved[0], 1), os.dup2(saved[1], 2)
        out.seek(0), err.seek(0)
        return {"ok": ok, "stdout": out.read(), "stderr": err.read()}


def main(results, paths):
    sys.path.insert(0, os.getcwd())  # as `python example.py` run from this folder would see it
    report = {path: run_one(path) for path in paths}
    with open(results, "w", encoding="utf-8") as handle:
        json.dump(report, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
