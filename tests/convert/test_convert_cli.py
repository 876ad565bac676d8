"""``msbridge convert`` on files and trees: outputs, safety, report, exit codes, parallelism.

The command runs in-process (``cli.main``, the code the entry point runs; ~1.4 CPU-s less per call than a
fresh interpreter); the entry point itself is smoke-tested by tests/cli/test_cli_commands.py and, on a
real terminal, by test_convert_cli_progress_bar_on_a_real_terminal below.
"""
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from msbridge import cli
from msbridge.convert.driver import atomic_write, convert_paths
from msbridge.convert.progress import Progress
from msbridge.errors import UserError

SCRIPTS = Path(__file__).parent / "scripts"
MS_SRC = "from mindspore import nn\nrelu = nn.ReLU()  # keep\n"
TORCH_OUT = "import torch\nrelu = torch.nn.ReLU()  # keep\n"
BAD_SRC = "from mindspore import nn\ndef broken(:\n"
PARTIAL_SRC = "import mindspore as ms\ny = ms.ops.no_such_api(1)\n"


def _cli(*args, cwd=None):
    """``msbridge convert ARGS`` in this process, with a subprocess-like result."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd or os.getcwd()), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["convert", *map(str, args)])
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def tree(tmp_path):
    src = tmp_path / "src"
    (src / "pkg" / "sub").mkdir(parents=True)
    (src / "train.py").write_text(MS_SRC)
    (src / "pkg" / "model.py").write_text(MS_SRC.replace("relu", "act"))
    (src / "pkg" / "sub" / "broken.py").write_text(BAD_SRC)
    (src / "pkg" / "README.txt").write_text("not python\n")
    (src / "plain.py").write_text("print('no framework')\n")
    return src


def test_convert_cli_file_to_output(tmp_path):
    src = tmp_path / "a.py"
    src.write_text(MS_SRC)
    result = _cli(src, "-o", tmp_path / "b.py")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "b.py").read_text() == TORCH_OUT
    assert src.read_text() == MS_SRC, "the input must never be modified without --in-place"
    assert "conversion rate 100.0%" in result.stderr


def test_convert_cli_tree_converts_rest_when_one_file_does_not_parse(tree, tmp_path):
    before = _tree(tree)
    out = tmp_path / "out"
    result = _cli(tree, "--to", "torch", "-o", out, "--report", tmp_path / "r.json")
    assert result.returncode == 3, "an unparsable file: some files could not be processed"
    assert _tree(tree) == before
    assert (out / "train.py").read_text() == TORCH_OUT
    assert (out / "pkg" / "model.py").read_text() == TORCH_OUT.replace("relu", "act")
    assert (out / "pkg" / "sub" / "broken.py").read_text() == BAD_SRC  # copied untouched
    assert (out / "pkg" / "README.txt").read_text() == "not python\n"
    assert (out / "plain.py").read_text() == "print('no framework')\n"
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["totals"]["files"] == 4 and report["totals"]["files_failed"] == 1
    # the unparsable file counts as one thing seen and not converted
    assert report["totals"]["seen"] == 3 and report["totals"]["converted"] == 2
    assert report["totals"]["rate"] == 2 / 3
    broken = next(f for f in report["files"] if f["path"].endswith("broken.py"))
    assert "does not parse" in broken["error"]
    assert "broken.py: NOT CONVERTED" in result.stderr


def test_convert_cli_exit_code_and_report_for_unsupported_api(tmp_path):
    src = tmp_path / "a.py"
    src.write_text(PARTIAL_SRC)
    result = _cli(src, "-o", tmp_path / "b.py", "--report", tmp_path / "r.json")
    assert result.returncode == 1
    assert "# msbridge: unsupported: mindspore.ops.no_such_api" in (tmp_path / "b.py").read_text()
    totals = json.loads((tmp_path / "r.json").read_text())["totals"]
    assert (totals["seen"], totals["converted"], totals["unsupported"], totals["rate"]) == (1, 0, 1, 0.0)


def test_convert_cli_in_place(tmp_path):
    src = tmp_path / "a.py"
    src.write_text(MS_SRC)
    assert _cli(src, "--in-place").returncode == 0
    assert src.read_text() == TORCH_OUT
    assert _cli(src, "--in-place", "--to", "torch").returncode == 0
    assert src.read_text() == TORCH_OUT  # idempotent


@pytest.mark.parametrize("args,message", [
    (["missing.py", "-o", "x.py"], "no such file"),
    (["a.py"], "nothing to write"),
    (["a.py", "-o", "a.py"], "use --in-place"),
    (["a.py", "-o", "x.py", "-j", "-1"], "-j must be"),
])
def test_convert_cli_user_errors(tmp_path, args, message):
    (tmp_path / "a.py").write_text(MS_SRC)
    result = _cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "a.py").read_text() == MS_SRC


def test_convert_cli_parallel_equals_serial(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(12):
        shutil.copy(SCRIPTS / ("ms_resnet_lr.py" if i % 2 else "torch_sgd_sched.py"), src / f"s{i}.py")
    serial = convert_paths(src, tmp_path / "serial", jobs=1)
    parallel = convert_paths(src, tmp_path / "parallel", jobs=2)
    assert _tree(tmp_path / "serial") == _tree(tmp_path / "parallel")
    assert serial.to_json() == parallel.to_json()
    assert serial.complete and serial.totals()["files_changed"] == 12


def test_convert_cli_mixed_directions_detected_per_file(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "m.py").write_text(MS_SRC)
    (src / "t.py").write_text(TORCH_OUT)
    report = convert_paths(src, tmp_path / "out")
    assert (tmp_path / "out" / "m.py").read_text() == TORCH_OUT
    assert (tmp_path / "out" / "t.py").read_text() == "import mindspore\nrelu = mindspore.nn.ReLU()  # keep\n"
    assert {f.path: f.direction for f in report.files} == {"m.py": "torch", "t.py": "mindspore"}


def test_convert_cli_driver_errors_are_user_errors(tmp_path):
    (tmp_path / "a.py").write_text(MS_SRC)
    with pytest.raises(UserError, match="not both"):
        convert_paths(tmp_path / "a.py", tmp_path / "b.py", in_place=True)
    with pytest.raises(UserError, match="--to"):
        convert_paths(tmp_path / "a.py", tmp_path / "b.py", to="jax")


def test_convert_cli_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "out.py"
    target.write_text("old\n")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        atomic_write(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.py"]  # temporary file cleaned up


class _Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self._tty = tty

    def isatty(self):
        return self._tty


def test_convert_cli_progress_only_on_a_terminal():
    for tty, shown in ((False, False), (True, True)):
        stream = _Stream(tty)
        bar = Progress(3, stream=stream, min_interval=0)
        for name in "abc":
            bar.advance(name)
        bar.close()
        assert ("3/3" in stream.getvalue()) is shown
    single = _Stream(True)
    bar = Progress(1, stream=single)
    bar.advance("a")
    bar.close()
    assert single.getvalue() == "", "a single file needs no progress bar"


def test_convert_cli_never_executes_the_converted_code(tmp_path):
    marker = tmp_path / "executed"
    src = tmp_path / "a.py"
    src.write_text(f"from mindspore import nn\nopen({str(marker)!r}, 'w').write('x')\n"
                   "relu = nn.ReLU()\nif __name__ == '__main__':\n    open('also', 'w')\n")
    result = _cli(src, "-o", tmp_path / "b.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not marker.exists() and not (tmp_path / "also").exists()
    assert "torch.nn.ReLU()" in (tmp_path / "b.py").read_text()


def test_convert_cli_progress_bar_on_a_real_terminal(tmp_path):
    import pty

    src = tmp_path / "src"
    src.mkdir()
    for i in range(3):
        (src / f"m{i}.py").write_text(MS_SRC)
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "msbridge", "convert", str(src), "-o", str(tmp_path / "out")],
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    shown = b"".join(chunks).decode()
    assert "converting [" in shown and "3/3" in shown
    piped = _cli(src, "-o", tmp_path / "out2")
    assert "converting [" not in piped.stderr, "no progress bar when stderr is not a terminal"


def test_convert_cli_in_place_tree_leaves_bad_files_byte_identical(tree, tmp_path):
    latin1 = "# caf\xe9\nfrom mindspore import nn\n".encode("latin-1")
    (tree / "legacy.py").write_bytes(latin1)
    result = _cli(tree, "--in-place", "--to", "torch", "--report", tmp_path / "r.json")
    assert result.returncode == 3
    assert (tree / "train.py").read_text() == TORCH_OUT
    assert (tree / "pkg" / "sub" / "broken.py").read_text() == BAD_SRC
    assert (tree / "legacy.py").read_bytes() == latin1
    errors = {f["path"]: f["error"] for f in json.loads((tmp_path / "r.json").read_text())["files"] if f["error"]}
    assert set(errors) == {"legacy.py", str(Path("pkg") / "sub" / "broken.py")}
    assert "not UTF-8" in errors["legacy.py"]
    assert not list(tree.rglob("*.tmp")), "no temporary files left behind"


def test_convert_cli_atomic_write_through_symlink(tmp_path):
    real = tmp_path / "real.py"
    real.write_text("old\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    atomic_write(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
