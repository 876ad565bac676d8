"""Run converted torch programs on MindSpore with torch unimportable, as a ported user runs them.

Usage: python run_ports.py RESULTS.json MANIFEST.json

MANIFEST.json is a list of ``{"program", "out", "trajectory_out", "weights"}``. Each program runs as
``__main__`` with ``sys.argv = [program, out]`` (to the end, its own initial weights). When
``weights`` (name -> MindSpore .ckpt, converted from the torch original's initial weights) is given,
the program's ``main(trajectory_out, init)`` runs again, ``init(name, net)`` loading those weights,
so its per-step losses can be compared with the original's. RESULTS.json gets, per program, None or
the traceback it ended with. Under MindSpore's launcher (``msrun``, which sets RANK_ID) every rank
runs the entries marked ``"distributed": true`` (last, together) and writes RESULTS.json.<rank>; the
other entries run on rank 0 only, before them, so a single launch runs them all. A process joins MindSpore's communication group once, so a distributed
entry with weights runs only from them (its whole ``main``).
"""
import json
import os
import runpy
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "convert"))
from run_blocked import Blocker  # noqa: E402  (the same blocker as the converter's run tests)


def _init(weights):
    import mindspore

    def init(name, net):
        missing, unexpected = mindspore.load_param_into_net(net, mindspore.load_checkpoint(weights[name]))
        if missing or unexpected:
            raise ValueError(f"{name}: weights not loaded {missing}, unexpected {unexpected}")
    return init


def main(argv):
    results_path, manifest_path = argv
    if "RANK_ID" in os.environ:
        results_path += "." + os.environ["RANK_ID"]
    sys.meta_path.insert(0, Blocker("torch"))
    results = {}
    with open(manifest_path) as handle:
        manifest = json.load(handle)
    rank = int(os.environ.get("RANK_ID", "0"))
    # rank 0 runs the single-process programs first while the other ranks wait in the distributed program's
    # init (MindSpore's rendezvous retries for minutes); the distributed programs come last because a process
    # that has left MindSpore's group must exit soon after, or the scheduler declares it dead
    ordered = [e for e in manifest if not e.get("distributed")] + [e for e in manifest if e.get("distributed")]
    for entry in ordered:
        program = entry["program"]
        if rank != 0 and not entry.get("distributed"):
            continue
        try:
            # a process joins MindSpore's communication group once: a distributed program runs once, from the
            # given weights when there are some
            if not (entry.get("distributed") and entry.get("weights")):
                sys.argv = [program, entry["out"]]
                runpy.run_path(program, run_name="__main__")
            if entry.get("weights"):
                module = runpy.run_path(program, run_name="ported_program")
                module["main"](entry["trajectory_out"], _init(entry["weights"]))
            results[program] = None
        except BaseException:   # a converted program that fails: report how
            results[program] = traceback.format_exc()
    with open(results_path, "w") as handle:
        json.dump({"blocked_loaded": "torch" in sys.modules, "results": results}, handle)


if __name__ == "__main__":
    main(sys.argv[1:])
