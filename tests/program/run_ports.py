"""A torchrun worker that runs converted programs with MindSpore unimportable (tests/program/test_program_ports.py).

Usage (under ``torchrun --nproc_per_node N``): run_ports.py RESULTS_PREFIX [PROGRAM OUT ...] PARALLEL OUT

Rank 0 runs the programs in order; the other ranks only the last one, PARALLEL (the data-parallel
program), which they wait in until rank 0 joins: one launch serves them all, and the parallel context
the last program sets leaks into no other. ``RESULTS_PREFIX.<rank>.json`` gets, per program, None or the traceback it ended with.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "convert"))
from run_blocked import Blocker, run_programs  # noqa: E402


def main(argv):
    prefix, *pairs = argv
    sys.meta_path.insert(0, Blocker("mindspore"))
    rank = int(os.environ.get("RANK", "0"))
    programs = list(zip(pairs[::2], pairs[1::2]))
    results = run_programs(programs if rank == 0 else programs[-1:])
    with open(f"{prefix}.{rank}.json", "w") as handle:
        json.dump({"mindspore_loaded": "mindspore" in sys.modules, "results": results}, handle)


if __name__ == "__main__":
    main(sys.argv[1:])
