"""A torchrun worker that runs converted programs with MindSpore unimportable (tests/program/test_program_ports.py).

Usage (under ``torchrun --nproc_per_node N``): run_ports.py RESULTS_PREFIX [PROGRAM OUT ...] PARALLEL OUT

Rank 0 runs the programs in order; the other ranks only the last one, PARALLEL (the data-parallel
program), which they start once rank 0 has written RESULTS_PREFIX.parallel-ready, just before it starts it:
one launch serves them all, and the parallel context the last program sets leaks into no other. ``RESULTS_PREFIX.<rank>.json`` gets, per program, None or the traceback it ended with.
"""
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "convert"))
from run_blocked import Blocker, run_programs  # noqa: E402


def main(argv):
    prefix, *pairs = argv
    sys.meta_path.insert(0, Blocker("mindspore"))
    rank = int(os.environ.get("RANK", "0"))
    programs = list(zip(pairs[::2], pairs[1::2]))
    ready = Path(f"{prefix}.parallel-ready")
    if rank == 0:
        results = run_programs(programs[:-1])
        ready.touch()
    else:   # join the group only when rank 0 does, not through rank 0's other programs
        _wait_for(ready)
        results = {}
    results.update(run_programs(programs[-1:]))
    with open(f"{prefix}.{rank}.json", "w") as handle:
        json.dump({"mindspore_loaded": "mindspore" in sys.modules, "results": results}, handle)


def _wait_for(path, timeout=600.0):
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"rank 0 never reached the parallel program ({path} not written)")
        time.sleep(0.05)


if __name__ == "__main__":
    main(sys.argv[1:])
