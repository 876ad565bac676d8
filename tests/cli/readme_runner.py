"""Run README examples in ONE interpreter (frameworks imported once), each as its own ``__main__``.

Usage: ``python readme_runner.py RESULTS.json ITEM...``. An ITEM ending in ``.py`` is a python block:
it runs through ``runpy.run_path`` in a fresh namespace. An ITEM ending in ``.json`` is a bash block
made only of plain ``msbridge ...`` and ``python FILE ...`` command lines (a list of argv lists, in
order; ``test_readme_examples.simple_commands`` decides which blocks qualify): ``msbridge ARGS`` runs
``msbridge.cli.main(ARGS)``, the code the ``msbridge`` script runs, and ``python FILE ARGS`` runs FILE
as ``__main__`` with ``sys.argv`` and ``sys.path[0]`` as ``python`` sets them. Like ``set -e``, the
block stops at the first command that exits non-zero. Each item's stdout/stderr (file descriptors 1
and 2, so C-level output too) are captured to its own files; the results file gets
``{item: {"ok", "stdout", "stderr"}}``.
"""
import json
import os
import runpy
import sys
import tempfile
import traceback


def _run_file(path, args):
    """``python path args...``: exit status (0 on success), as the interpreter would give it."""
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exit_:
        if exit_.code in (None, 0):
            return 0
        print(f"SystemExit: {exit_.code}", file=sys.stderr)
        return exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    return 0


def _run_commands(path):
    """A bash block of plain command lines: stop at the first that fails, like ``bash -e``."""
    from msbridge import cli

    with open(path, encoding="utf-8") as handle:
        commands = json.load(handle)
    for argv in commands:
        status = cli.main(argv[1:]) if argv[0] == "msbridge" else _run_file(argv[1], argv[2:])
        sys.stdout.flush(), sys.stderr.flush()
        if status != 0:
            print(f"exit status {status}: {' '.join(argv)}", file=sys.stderr)
            return False
    return True


def run_one(path):
    saved = os.dup(1), os.dup(2)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        sys.stdout.flush(), sys.stderr.flush()
        os.dup2(out.fileno(), 1), os.dup2(err.fileno(), 2)
        ok = True
        try:
            if path.endswith(".json"):
                ok = _run_commands(path)
            else:
                ok = _run_file(path, []) == 0
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
