"""Checkpoint files against the real readers and writers: MindSpore's save/load_checkpoint,
torch.save/load, the safetensors library; and every bad input with its message."""
import hashlib
import os

import numpy as np
import pytest

ms = pytest.importorskip("mindspore")
torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")

from msbridge.bridge.checkpoint import (  # noqa: E402
    convert_file, load_checkpoint_into, mindspore_to_state_dict, state_dict_to_mindspore,
)
from msbridge.bridge.checkpoint_io import read_checkpoint, write_checkpoint  # noqa: E402
from msbridge.bridge.checkpoint_tensor import CheckpointError, to_torch  # noqa: E402


def _ms_params():
    rng = np.random.RandomState(0)
    values = {
        "fc.weight": ms.Tensor(rng.randn(3, 4).astype(np.float32)),
        "fc.bias": ms.Tensor(rng.randn(3).astype(np.float16)),
        "emb.embedding_table": ms.Tensor(rng.randn(5, 3).astype(np.float32), ms.bfloat16),
        "bn.moving_mean": ms.Tensor(rng.randn(3).astype(np.float64)),
        "bn.moving_variance": ms.Tensor(rng.rand(3).astype(np.float64)),
        "bn.gamma": ms.Tensor(rng.randn(3).astype(np.float64)),
        "bn.beta": ms.Tensor(rng.randn(3).astype(np.float64)),
        "count": ms.Tensor(np.int64(7)),
    }
    return {k: ms.Parameter(v, name=k) for k, v in values.items()}


class _MsNet(ms.nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc, self.emb, self.bn = ms.nn.Dense(4, 3), ms.nn.Embedding(5, 3), ms.nn.BatchNorm1d(3)
        self.count = ms.Parameter(ms.Tensor(np.int64(0)), name="count", requires_grad=False)


@pytest.fixture(scope="module")
def ms_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("ms") / "weights.ckpt"
    ms.save_checkpoint(_ms_params(), str(path))
    return path


def _ms_bits(path):
    return {k: (str(v.dtype), v.shape, v.view(ms.int16).asnumpy().tobytes() if str(v.dtype) == "BFloat16"
                else v.asnumpy().tobytes()) for k, v in ms.load_checkpoint(str(path)).items()}


def _sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_reads_what_mindspore_wrote_bit_exactly_all_dtypes(ms_file):
    ours = read_checkpoint(ms_file)
    assert ours.format == "mindspore"
    theirs = ms.load_checkpoint(str(ms_file))
    assert list(ours.tensors) == list(theirs)
    for name, value in theirs.items():
        mine = to_torch(ours.tensors[name])
        if str(value.dtype) == "BFloat16":
            assert mine.dtype == torch.bfloat16
            assert np.array_equal(mine.float().numpy(), value.float().asnumpy())
        else:
            assert np.array_equal(mine.numpy(), value.asnumpy()) and mine.numpy().dtype == value.asnumpy().dtype


def test_writes_the_same_bytes_as_mindspore(ms_file, tmp_path):
    write_checkpoint(tmp_path / "again.ckpt", read_checkpoint(ms_file).tensors)
    assert open(tmp_path / "again.ckpt", "rb").read() == open(ms_file, "rb").read()
    assert _ms_bits(tmp_path / "again.ckpt") == _ms_bits(ms_file)


def test_mindspore_to_torch_to_mindspore_keeps_dtypes_and_bits(ms_file, tmp_path):
    before = _sha(ms_file)
    conversion = convert_file(ms_file, tmp_path / "w.pt")
    assert _sha(ms_file) == before  # the input is never modified
    sd = torch.load(tmp_path / "w.pt", weights_only=True)
    assert sd["emb.weight"].dtype == torch.bfloat16 and sd["fc.bias"].dtype == torch.float16
    assert sd["bn.running_var"].dtype == torch.float64 and sd["bn.num_batches_tracked"].dtype == torch.int64
    assert sd["count"].item() == 7 and "count" in conversion.renamed.kept
    # back: a bias-less 2-D emb.weight is Linear or Embedding, so name the MindSpore model
    convert_file(tmp_path / "w.pt", tmp_path / "back.ckpt", model=_MsNet())
    assert _ms_bits(tmp_path / "back.ckpt") == _ms_bits(ms_file)


def test_safetensors_both_ways_with_the_real_library(ms_file, tmp_path):
    convert_file(ms_file, tmp_path / "w.safetensors")
    loaded = safetensors_torch.load_file(str(tmp_path / "w.safetensors"))
    convert_file(ms_file, tmp_path / "w.pt")
    pt = torch.load(tmp_path / "w.pt", weights_only=True)
    assert loaded.keys() == pt.keys()
    assert all(torch.equal(loaded[k], pt[k]) and loaded[k].dtype == pt[k].dtype for k in pt)
    safetensors_torch.save_file(pt, str(tmp_path / "lib.safetensors"))
    ours = read_checkpoint(tmp_path / "lib.safetensors")
    assert ours.format == "safetensors"
    assert all(torch.equal(to_torch(ours.tensors[k]), pt[k]) for k in pt)


def test_nested_torch_checkpoint_keeps_its_other_entries(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    torch.save({"epoch": 3, "model": model.state_dict(), "note": "x"}, tmp_path / "run.pth")
    ckpt = read_checkpoint(tmp_path / "run.pth")
    assert ckpt.nested_under == "model" and ckpt.extra == {"epoch": 3, "note": "x"}
    convert_file(tmp_path / "run.pth", tmp_path / "run.ckpt")
    params = ms.load_checkpoint(str(tmp_path / "run.ckpt"))
    assert sorted(params) == ["0.bias", "0.weight", "1.beta", "1.gamma", "1.moving_mean", "1.moving_variance"]
    assert np.array_equal(params["1.moving_variance"].asnumpy(), model[1].running_var.numpy())
    convert_file(tmp_path / "run.pth", tmp_path / "copy.pt")  # torch -> torch: nesting kept
    again = torch.load(tmp_path / "copy.pt", weights_only=True)
    assert again["epoch"] == 3 and torch.equal(again["model"]["0.weight"], model[0].weight)


def test_in_memory_api_both_ways():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv1d(2, 3, 3), torch.nn.BatchNorm1d(3))
    params = state_dict_to_mindspore(model.state_dict())
    assert params["0.weight"].shape == (3, 2, 1, 3) and isinstance(params["0.weight"], ms.Parameter)
    assert "1.num_batches_tracked" not in params
    back = mindspore_to_state_dict(params, model)
    assert back.keys() == model.state_dict().keys()
    assert all(torch.equal(back[k], v) for k, v in model.state_dict().items() if "num_batches" not in k)


# ---------- bad input: one-line messages ----------

def _one_line(exc_info):
    message = str(exc_info.value)
    assert "\n" not in message, message
    return message


def test_truncated_mindspore_checkpoint(ms_file, tmp_path):
    data = open(ms_file, "rb").read()
    (tmp_path / "cut.ckpt").write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ValueError):  # the real framework refuses it too
        ms.load_checkpoint(str(tmp_path / "cut.ckpt"))
    with pytest.raises(CheckpointError) as exc:
        read_checkpoint(tmp_path / "cut.ckpt")
    assert "truncated or corrupt" in _one_line(exc) and "cut.ckpt" in str(exc.value)


def test_truncated_torch_checkpoint(tmp_path):
    torch.save({"w": torch.ones(100)}, tmp_path / "full.pt")
    data = (tmp_path / "full.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError) as exc:
        read_checkpoint(tmp_path / "cut.pt")
    assert "not a readable torch checkpoint (truncated or corrupt" in _one_line(exc)


def test_truncated_safetensors(tmp_path):
    safetensors_torch.save_file({"w": torch.ones(100)}, str(tmp_path / "full.safetensors"))
    data = (tmp_path / "full.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(data[:-40])
    with pytest.raises(CheckpointError) as exc:
        read_checkpoint(tmp_path / "cut.safetensors")
    assert "not a readable safetensors file (truncated or corrupt" in _one_line(exc)


@pytest.mark.parametrize("content", [b"", b"hello world, not a checkpoint", b"\x00" * 64])
def test_wrong_type_of_file(tmp_path, content):
    (tmp_path / "x.ckpt").write_bytes(content)
    with pytest.raises(CheckpointError) as exc:
        read_checkpoint(tmp_path / "x.ckpt")
    assert "not a checkpoint msbridge reads" in _one_line(exc)


class Payload:
    """An object whose unpickling would call a function: torch.load(weights_only=True) must refuse it."""

    def __reduce__(self):
        return (os.getcwd, ())


def test_pickle_needing_code_is_refused(tmp_path):
    torch.save({"w": torch.ones(2), "hook": Payload()}, tmp_path / "evil.pt")
    with pytest.raises(CheckpointError) as exc:
        read_checkpoint(tmp_path / "evil.pt")
    message = _one_line(exc)
    assert "refused" in message and "weights_only=True" in message


def test_torch_file_without_a_state_dict(tmp_path):
    torch.save([torch.ones(2)], tmp_path / "list.pt")
    with pytest.raises(CheckpointError) as exc:
        read_checkpoint(tmp_path / "list.pt")
    assert "holds a list, not a state_dict" in _one_line(exc)


def test_missing_extra_and_mismatched_parameters_are_all_listed(ms_file):
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 5)  # mismatched: 5 outputs, not 3
            self.head = torch.nn.Linear(2, 2)  # missing from the file
    model = Net()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(CheckpointError) as exc:
        load_checkpoint_into(model, ms_file)
    message = _one_line(exc)
    assert "missing (2): head.bias, head.weight" in message
    assert "extra (" in message and "emb.embedding_table" in message and "count" in message
    assert "mismatched (2): fc.bias (3,) vs model (5,), fc.weight (3, 4) vs model (5, 4)" in message
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # untouched


def test_ambiguous_groups_are_named(tmp_path):
    torch.save({"emb.weight": torch.ones(5, 3), "fc.weight": torch.ones(3, 4), "fc.bias": torch.ones(3)},
               tmp_path / "m.pt")
    with pytest.raises(CheckpointError) as exc:
        convert_file(tmp_path / "m.pt", tmp_path / "m.ckpt")
    message = _one_line(exc)
    assert "emb.weight 2-D (5, 3): torch.nn.Linear -> mindspore.nn.Dense or torch.nn.Embedding" in message
    assert "fc." not in message  # a 2-D weight with a bias is only a Linear
    assert not (tmp_path / "m.ckpt").exists()


def test_output_is_atomic_and_never_the_input(ms_file, tmp_path):
    (tmp_path / "out.pt").write_bytes(b"previous")
    with pytest.raises(CheckpointError):
        convert_file(ms_file, tmp_path / "out.pt", to="mindspore", model=torch.nn.Linear(2, 2))
    assert (tmp_path / "out.pt").read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["out.pt"]  # no temporary left behind
    with pytest.raises(CheckpointError) as exc:
        convert_file(ms_file, ms_file)
    assert "would overwrite the input" in _one_line(exc)


def test_torch_side_reads_a_mindspore_checkpoint_with_mindspore_unimportable(ms_file, tmp_path):
    """A ported torch script starts from the original's .ckpt: msbridge decodes it without MindSpore."""
    import subprocess
    import sys

    code = ("import sys; sys.modules['mindspore'] = None\n"  # `import mindspore` now raises ImportError
            "import torch\n"
            "from msbridge.bridge.checkpoint import load_checkpoint_into\n"
            "class Net(torch.nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.fc, self.emb = torch.nn.Linear(4, 3), torch.nn.Embedding(5, 3)\n"
            "        self.bn = torch.nn.BatchNorm1d(3)\n"
            "        self.register_buffer('count', torch.tensor(0))\n"
            "net = Net()\n"
            f"load_checkpoint_into(net, {str(ms_file)!r})\n"
            f"torch.save(net.state_dict(), {str(tmp_path / 'net.pt')!r})\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    sd = torch.load(tmp_path / "net.pt", weights_only=True)
    theirs = ms.load_checkpoint(str(ms_file))
    assert np.array_equal(sd["fc.weight"].numpy(), theirs["fc.weight"].asnumpy())
    assert np.array_equal(sd["bn.running_var"].numpy(), theirs["bn.moving_variance"].asnumpy().astype(np.float32))
    assert sd["count"].item() == 7
