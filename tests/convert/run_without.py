"""Run programs with one framework made unimportable, as on a machine that has ported away from it.

Usage: ``python run_without.py FRAMEWORK PROGRAM.py...``. Prints one JSON object:
program path -> {"ok": bool, "error": "Type: message" or None, "result": the program's
``result`` global (JSON-able) or None}. All programs share one process: the
framework that remains is imported once.
"""
import json
import runpy
import sys


class Absent:
    """A meta-path finder that says FRAMEWORK is not installed."""

    def __init__(self, names):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def main(argv):
    blocked, programs = argv[0], argv[1:]
    sys.meta_path.insert(0, Absent({blocked}))
    out = {}
    for program in programs:
        try:
            scope = runpy.run_path(program, run_name="__main__")
            out[program] = {"ok": True, "error": None, "result": scope.get("result")}
        except Exception as exc:   # the program's own failure is the measurement
            out[program] = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "result": None}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
