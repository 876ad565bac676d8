"""A torchrun worker that runs a converted program with MindSpore unimportable (tests/program/test_program_ports.py).

Usage (under ``torchrun --nproc_per_node N``): run_ports.py RESULTS_PREFIX PROGRAM OUT [PROGRAM OUT ...]

Every rank runs the programs, as ``torchrun`` runs a user's script on each rank; ``RESULTS_PREFIX.<rank>.json``
gets, per program, None or the traceback it ended with.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "convert"))
from run_blocked import Blocker, run_programs  # noqa: E402


def main(argv):
    prefix, *pairs = argv
    sys.meta_path.insert(0, Blocker("mindspore"))
    results = run_programs(list(zip(pairs[::2], pairs[1::2])))
    with open(f"{prefix}.{os.environ.get('RANK', '0')}.json", "w") as handle:
        json.dump({"mindspore_loaded": "mindspore" in sys.modules, "results": results}, handle)


if __name__ == "__main__":
    main(sys.argv[1:])
