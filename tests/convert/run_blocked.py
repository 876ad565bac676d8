"""Run converted programs with the source framework made unimportable, as a ported user runs them.

Usage: python run_blocked.py BLOCKED RESULTS.json PROGRAM OUT.json [PROGRAM OUT.json ...]

A ``sys.meta_path`` finder raises ImportError for BLOCKED ('torch' or 'mindspore')
and its submodules. Each PROGRAM runs as ``__main__`` with ``sys.argv = [PROGRAM, OUT.json]``;
RESULTS.json gets, per program, None or the traceback it ended with.
"""
import importlib.abc
import json
import runpy
import sys
import traceback


class Blocker(importlib.abc.MetaPathFinder):
    def __init__(self, name):
        self.name = name

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.name or fullname.startswith(self.name + "."):
            raise ImportError(f"{fullname} is blocked: the converted program must run without {self.name}")
        return None


def run_programs(pairs):
    """{program: None, or the traceback it ended with} for each (program, out), run as ``__main__``."""
    results = {}
    for program, out in pairs:
        sys.argv = [program, out]
        try:
            runpy.run_path(program, run_name="__main__")
            results[program] = None
        except BaseException:   # a converted program that fails: report how
            results[program] = traceback.format_exc()
    return results


def main(argv):
    blocked, results_path, *pairs = argv
    sys.meta_path.insert(0, Blocker(blocked))
    results = run_programs(list(zip(pairs[::2], pairs[1::2])))
    with open(results_path, "w") as handle:
        json.dump({"blocked_loaded": blocked in sys.modules, "results": results}, handle)


if __name__ == "__main__":
    main(sys.argv[1:])
