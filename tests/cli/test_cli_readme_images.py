"""The README's plots are what `docs/images/generate.sh` produces today.

The commands are read from the script itself and re-run here (real frameworks, this run); the values
they plot must equal the committed ``.csv`` next to each image, so a stale image fails this test.
Regenerate with ``bash docs/images/generate.sh``.
"""
import shlex
from pathlib import Path

import matplotlib.image
import pytest

from msbridge import cli

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "docs" / "images" / "generate.sh"


def plot_commands():
    text = SCRIPT.read_text().replace("\\\n", " ")
    commands = [shlex.split(line) for line in text.splitlines() if line.startswith("python -m msbridge plot ")]
    assert commands, f"no `python -m msbridge plot` command in {SCRIPT}"
    return commands


def option(argv, name):
    return argv[argv.index(name) + 1]


@pytest.mark.parametrize("argv", plot_commands(), ids=lambda argv: Path(option(argv, "-o")).name)
def test_committed_plot_is_current(argv, tmp_path, capsys):
    image, values = REPO / option(argv, "-o"), REPO / option(argv, "--csv")
    assert image.is_file() and values.is_file(), "run: bash docs/images/generate.sh"
    height, width = matplotlib.image.imread(image).shape[:2]
    assert width >= 800 and height >= 500

    fresh = tmp_path / "fresh.csv"
    args = argv[3:]  # after "python -m msbridge"
    args[args.index("-o") + 1] = str(tmp_path / image.name)
    args[args.index("--csv") + 1] = str(fresh)
    assert cli.main(args) == 0, capsys.readouterr().err
    assert fresh.read_text() == values.read_text(), "stale image: run bash docs/images/generate.sh"
