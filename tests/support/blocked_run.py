"""Run a converted program the way a ported user runs it: in a subprocess, with the source framework made
unimportable (tests/convert/run_blocked.py), importing this checkout's msbridge (not an installed copy)."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "tests" / "convert" / "run_blocked.py"


def checkout_env() -> dict:
    """The environment with this checkout first on PYTHONPATH (subprocesses import msbridge by name)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def run_blocked(tmp_path: Path, blocked: str, name: str, program_text: str, **run) -> Path:
    """Write ``program_text`` as ``name.py`` and run it as ``name.py OUT`` with ``blocked`` unimportable; it must
    end cleanly. Returns OUT's path."""
    program, out, results = tmp_path / f"{name}.py", tmp_path / f"{name}.out", tmp_path / f"{name}.results.json"
    program.write_text(program_text)
    subprocess.run([sys.executable, str(RUNNER), blocked, str(results), str(program), str(out)], check=True,
                   timeout=300, env=checkout_env(), **run)
    ran = json.loads(results.read_text())
    assert not ran["blocked_loaded"] and ran["results"][str(program)] is None, ran
    return out


def converted_completely(program_text: str, to: str):
    """(output, report) of converting ``program_text``: converting it again changes nothing, and every API use is
    reported converted (the failure lists the others)."""
    from msbridge.convert.report import CONVERTED
    from msbridge.convert.source import convert_source

    out, report = convert_source(program_text, to)
    assert convert_source(out, to)[0] == out, "converting twice must give the same output"
    assert report.complete, [(u.line, u.api, u.status, u.message) for u in report.uses if u.status != CONVERTED]
    return out, report


def run_both(tmp_path: Path, name: str, program_text: str, converted_text: str, source: str, target: str):
    """(JSON the original wrote on ``source`` with ``target`` unimportable, JSON its conversion wrote on ``target``
    with ``source`` unimportable)."""
    original = json.loads(run_blocked(tmp_path, target, name, program_text).read_text())
    converted = json.loads(run_blocked(tmp_path, source, f"{name}_{target}", converted_text).read_text())
    return original, converted


def run_plain(tmp_path: Path, name: str, program_text: str) -> dict:
    """The original program as its user runs it (both frameworks importable): ``name.py OUT``; the JSON it wrote."""
    program, out = tmp_path / f"{name}.py", tmp_path / f"{name}.out"
    program.write_text(program_text)
    subprocess.run([sys.executable, str(program), str(out)], check=True, timeout=300, env=checkout_env())
    return json.loads(out.read_text())


class BatchRuns:
    """Many (original, conversion) program pairs of one direction run in two subprocesses, not two per pair: each
    subprocess pays the frameworks' import (about 4 s with MindSpore) once. The originals run on ``source`` with
    ``target`` unimportable, the conversions on ``target`` with ``source`` unimportable, every program as
    ``__main__`` in turn (they must not depend on a fresh interpreter's global state).

    ``pair(name)`` -> (JSON the original wrote, JSON its conversion wrote); a program that failed fails the test
    that asks for it, with its traceback."""

    def __init__(self, folder: Path, programs: dict[str, tuple[str, str]], source: str, target: str):
        self.outcomes = {}
        for side, blocked, index in (("original", target, 0), ("converted", source, 1)):
            pairs, results = [], folder / f"{side}.results.json"
            for name, texts in programs.items():
                program = folder / f"{name}_{side}.py"
                program.write_text(texts[index])
                pairs += [str(program), str(folder / f"{name}_{side}.out")]
            subprocess.run([sys.executable, str(RUNNER), blocked, str(results), *pairs], check=True, timeout=600,
                           env=checkout_env())
            ran = json.loads(results.read_text())
            assert not ran["blocked_loaded"], ran
            for name in programs:
                self.outcomes[(name, side)] = ran["results"][str(folder / f"{name}_{side}.py")]
        self.folder = folder

    def pair(self, name: str):
        for side in ("original", "converted"):
            assert self.outcomes[(name, side)] is None, f"{name} ({side}) failed:\n{self.outcomes[(name, side)]}"
        return tuple(json.loads((self.folder / f"{name}_{side}.out").read_text()) for side in ("original", "converted"))
