"""Every README example runs, as a person would copy and paste it.

Marker: a line ``<!-- example -->`` immediately before a fenced ```` ```bash ```` or ```` ```python ````
block means "run me". The marked blocks run in README order in one fresh folder (so a block may write a
file a later block uses); that folder also sees the repository's top-level files and folders (linked),
so an example may name e.g. ``tests/convert/scripts/ms_resnet_lr.py`` as if run from the repository root.
bash blocks run with ``bash -euo pipefail`` and this Python first on PATH; python blocks run as a file.
Each must exit 0.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
MARKER = "<!-- example -->"
FENCE = re.compile(r"^```(\w+)\s*$")
LANGUAGES = ("bash", "python")


def examples():
    """``(line, language, code)`` of every marked block, in README order."""
    lines = README.read_text(encoding="utf-8").splitlines()
    found = []
    for number, line in enumerate(lines, start=1):
        if line.strip() != MARKER:
            continue
        opening = FENCE.match(lines[number]) if number < len(lines) else None
        if not opening or opening.group(1) not in LANGUAGES:
            raise AssertionError(f"README.md:{number}: {MARKER} must be followed by a ```bash or ```python block")
        end = next((i for i in range(number + 1, len(lines)) if lines[i].strip() == "```"), None)
        if end is None:
            raise AssertionError(f"README.md:{number + 1}: unclosed code block")
        found.append((number + 1, opening.group(1), "\n".join(lines[number + 1:end]) + "\n"))
    return found


EXAMPLES = examples()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A fresh folder in which the repository's top-level entries are visible (linked, not copied)."""
    folder = tmp_path_factory.mktemp("readme")
    for entry in REPO.iterdir():
        if not entry.name.startswith("."):
            (folder / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    return folder


def _env():
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["MPLBACKEND"] = "Agg"
    return env


def test_readme_has_examples_for_both_porting_directions():
    assert EXAMPLES, f"no {MARKER} block in README.md"
    code = "\n".join(text for _, _, text in EXAMPLES)
    to_torch = ("msbridge.mindspore" in code or "--to torch" in code)
    to_mindspore = ("msbridge.torch" in code or "--to mindspore" in code)
    assert to_torch and to_mindspore, "README examples must show MindSpore -> torch and torch -> MindSpore"


def test_readme_images_exist():
    for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", README.read_text(encoding="utf-8")):
        if "://" not in target:
            assert (REPO / target).is_file(), f"README.md shows {target}, which is not in the repository"


@pytest.mark.parametrize("line, language, code", EXAMPLES, ids=[f"README.md:{n}-{lang}" for n, lang, _ in EXAMPLES])
def test_readme_example_runs(line, language, code, workdir):
    assert "pytest" not in code, f"README.md:{line}: an example must not run the test suite"
    if language == "python":
        path = workdir / f"readme_example_line{line}.py"
        path.write_text(code, encoding="utf-8")
        command = [sys.executable, str(path)]
    else:
        command = ["bash", "-euo", "pipefail", "-c", code]
    result = subprocess.run(command, cwd=workdir, env=_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (
        f"README.md:{line} ({language}) exited {result.returncode}\n--- stdout\n{result.stdout[-3000:]}"
        f"\n--- stderr\n{result.stderr[-3000:]}"
    )
