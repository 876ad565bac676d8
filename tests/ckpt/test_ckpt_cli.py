"""``msbridge ckpt``: in-process runs (and one subprocess smoke test) against real frameworks."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

ms = pytest.importorskip("mindspore")
torch = pytest.importorskip("torch")

from msbridge.cli import main  # noqa: E402

MODEL_FILE = textwrap.dedent('''
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv1d(2, 4, 3)
            self.emb = torch.nn.Embedding(5, 3)

    class NeedsArgs(torch.nn.Module):
        def __init__(self, width):
            super().__init__()
''')


class MsNet(ms.nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv = ms.nn.Conv1d(2, 4, 3, has_bias=True)
        self.emb = ms.nn.Embedding(5, 3)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    (root / "net.py").write_text(MODEL_FILE)
    ms.set_seed(0)
    net = MsNet()
    ms.save_checkpoint(net, str(root / "net.ckpt"))
    return root, net


def _error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("msbridge: error: "), err
    return err[0]


def test_with_model_converts_and_the_model_loads_it(files, capsys):
    root, net = files
    assert main(["ckpt", str(root / "net.ckpt"), "-o", str(root / "net.pt"), "--model", f"{root / 'net.py'}:Net"]) == 0
    assert "wrote" in capsys.readouterr().out
    sd = torch.load(root / "net.pt", weights_only=True)
    assert np.array_equal(sd["conv.weight"].numpy(), net.conv.weight.asnumpy()[:, :, 0, :])
    assert np.array_equal(sd["emb.weight"].numpy(), net.emb.embedding_table.asnumpy())


def test_without_model_refuses_the_ambiguous_conv(files, capsys):
    root, _ = files
    assert main(["ckpt", str(root / "net.ckpt"), "-o", str(root / "x.pt")]) == 2
    line = _error_line(capsys)
    assert "conv.weight 4-D (4, 2, 1, 3): " in line
    for layer in ("Conv1d -> torch.nn.Conv1d", "Conv2d -> torch.nn.Conv2d"):   # (and the transposed ones)
        assert f"mindspore.nn.{layer}" in line, line
    assert not (root / "x.pt").exists()


@pytest.mark.parametrize("spec, fragment", [
    ("net.py", "expected FILE.py:CLASS"),
    ("nofile.py:Net", "no such file"),
    ("net.py:Missing", "defines no 'Missing'"),
    ("net.py:NeedsArgs", "NeedsArgs() needs arguments"),
])
def test_bad_model_option(files, capsys, spec, fragment):
    root, _ = files
    path, _, cls = spec.partition(":")
    spec = f"{root / path}:{cls}" if cls else str(root / path)
    assert main(["ckpt", str(root / "net.ckpt"), "-o", str(root / "y.pt"), "--model", spec]) == 2
    assert fragment in _error_line(capsys)


def test_model_of_the_wrong_framework_for_to(files, capsys):
    root, _ = files
    argv = ["ckpt", str(root / "net.ckpt"), "-o", str(root / "z.ckpt"), "--to", "mindspore",
            "--model", f"{root / 'net.py'}:Net"]
    assert main(argv) == 2
    assert "--to mindspore contradicts the model, which is a torch model" in _error_line(capsys)


def test_missing_input_and_unknown_output_extension(files, capsys):
    root, _ = files
    assert main(["ckpt", str(root / "none.ckpt"), "-o", str(root / "a.pt")]) == 2
    assert "no such file" in _error_line(capsys)
    assert main(["ckpt", str(root / "net.ckpt"), "-o", str(root / "a.txt")]) == 2
    assert "cannot tell the output format" in _error_line(capsys)


def test_subprocess_smoke(files):
    root, _ = files
    result = subprocess.run([sys.executable, "-m", "msbridge", "ckpt", str(root / "net.ckpt"), "-o",
                             str(root / "s.safetensors"), "--to", "torch", "--model", f"{root / 'net.py'}:Net"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "s.safetensors (safetensors)" in result.stdout
