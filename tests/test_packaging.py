"""A wheel (not only the editable checkout) carries every package and the mapping tables."""
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_install_loads_the_tables(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True)
    wheel = next((tmp_path / "dist").glob("msbridge-*.whl"))
    env_dir = tmp_path / "env"
    venv.create(env_dir, system_site_packages=True, with_pip=True)  # frameworks come from the system
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    probe = ("import msbridge, msbridge.tables.loader as loader, msbridge.convert, msbridge.torch, msbridge.mindspore;"
             "from msbridge.tables import load_tables;"
             "print(msbridge.__file__); print(loader.DEFAULT_DIR); print(len(load_tables().rows))")
    out = subprocess.run([str(python), "-c", probe], check=True, capture_output=True, text=True,
                         cwd=tmp_path).stdout.split("\n")
    assert out[0].startswith(str(env_dir)), "the wheel's msbridge must be the one imported"
    assert out[1] == str(env_dir / "share" / "msbridge" / "mapping_tables")
    expected_rows = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True,
                                   cwd=ROOT).stdout.split("\n")[2]
    assert out[2] == expected_rows and int(out[2]) > 0
