"""A wheel (not only the editable checkout) carries every package and the mapping tables."""
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _venv_seeing_running_frameworks(env_dir: Path) -> Path:
    """A fresh venv whose only extra packages are the running interpreter's own site-packages.

    ``system_site_packages=True`` would point at the *base* interpreter, which has no torch when the
    suite itself runs inside a venv.  A ``.pth`` line naming the running interpreter's site-packages
    adds those directories as plain path entries: torch and mindspore import, while the ``.pth`` files
    there (the editable msbridge finder among them) are not processed, so the wheel's copy is the one
    imported.
    """
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site_dir = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True).stdout.strip()
    running = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site_dir) / "running_interpreter.pth").write_text("\n".join(sorted(running)) + "\n")
    return python


def test_wheel_install_loads_the_tables(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True)
    wheel = next((tmp_path / "dist").glob("msbridge-*.whl"))
    env_dir = tmp_path / "env"
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # a checkout on PYTHONPATH would win
    python = _venv_seeing_running_frameworks(env_dir)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    str(wheel)], check=True, env=clean_env)
    # msbridge.torch / msbridge.mindspore are not imported here (each would import its framework, ~3 CPU-s):
    # that every module of the checkout is in the wheel is checked file by file below
    probe = ("import msbridge, msbridge.tables.loader as loader, msbridge.convert;"
             "from msbridge.tables import load_tables;"
             "print(msbridge.__file__); print(loader.DEFAULT_DIR); print(len(load_tables().rows))")
    out = subprocess.run([str(python), "-c", probe], check=True, capture_output=True, text=True,
                         cwd=tmp_path, env=clean_env).stdout.split("\n")
    assert out[0].startswith(str(env_dir)), "the wheel's msbridge must be the one imported"
    installed = Path(out[0]).parent
    modules = {p.relative_to(ROOT / "msbridge") for p in (ROOT / "msbridge").rglob("*.py")}
    assert modules and not {m for m in modules if not (installed / m).is_file()}, "modules missing from the wheel"
    assert out[1] == str(env_dir / "share" / "msbridge" / "mapping_tables")
    from msbridge.tables import load_tables  # the checkout's tables, in this process (no second interpreter)

    expected_rows = len(load_tables().rows)
    assert int(out[2]) == expected_rows > 0
