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
