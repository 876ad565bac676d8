"""The corpus measurement tools: the API scan resolves aliases to real APIs, the run check classifies.

The corpus itself is third-party code and is not in the repository; these tests
use tiny files written here.
"""
import csv
import importlib
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module   # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


measure = _load("corpus_measure")
run_check = _load("corpus_run_check")

TORCH_MODEL = '''\
import torch.nn as nn
import torch.nn.functional as F
from torch import optim as O
import torch


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor):
        return F.relu(self.fc(x)).sum(dim=1)


def make(net):
    torch.backends.cudnn.benchmark = True
    return O.SGD(net.parameters(), lr=0.1)
'''


def _resolve(qualified):
    """The real object a qualified name names, importing the longest module prefix."""
    parts = qualified.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(qualified)


def test_scan_resolves_aliases_to_real_torch_apis():
    uses = measure.scan_uses(TORCH_MODEL)
    found = sorted((u.api, u.kind) for u in uses)
    assert found == [
        ("torch.Tensor", "ref"),
        ("torch.backends.cudnn.benchmark", "ref"),
        ("torch.nn.Linear", "call"),
        ("torch.nn.Module", "base"),
        ("torch.nn.functional.relu", "call"),
        ("torch.optim.SGD", "call"),
    ]
    for api, _ in found:   # every name the scan produced names a real torch object
        _resolve(api)


def test_scan_ignores_shadowing_chains_and_other_roots():
    uses = measure.scan_uses("import numpy as np\nimport torch\nx = np.zeros(3)\ny = self.torch.zeros(2)\n")
    assert uses == []


def test_match_report_pairs_by_statement_and_name():
    uses = measure.scan_uses(TORCH_MODEL)
    report = [{"api": "torch.nn.Linear", "line": 10, "status": "converted"},
              {"api": "torch.nn.Module", "line": 7, "status": "converted"},
              {"api": ".parameters()", "line": 19, "status": "review"}]
    matched, left = measure.match_report(uses, report)
    status = {use.api: s for use, s, _ in matched}
    assert status["torch.nn.Linear"] == "converted" and status["torch.nn.Module"] == "converted"
    assert status["torch.optim.SGD"] == "unreported"
    assert [e["api"] for e in left] == [".parameters()"]


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    files = {
        ("mindspore", "model", "ms_net.py"): "import mindspore.nn as nn\n\n\nclass Net(nn.Cell):\n"
        "    def __init__(self):\n        super().__init__()\n        self.fc = nn.Dense(4, 2)\n",
        ("torch", "train", "torch_net.py"): TORCH_MODEL,
    }
    rows = []
    for (fw, kind, name), text in files.items():
        local = f"{fw}/{kind}/{name}"
        (root / local).parent.mkdir(parents=True, exist_ok=True)
        (root / local).write_text(text)
        rows.append([fw, kind, "us/tests", name, "0" * 40, local, str(text.count("\n"))])
    with open(root / "manifest.tsv", "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["framework", "kind", "repo", "path", "commit", "local_file", "lines"])
        w.writerows(rows)
    assert measure.main([str(root), "--out", str(root / "results"), "--keep", str(root / "converted")]) == 0
    return root


def test_measure_totals_agree_with_the_converters_reports(tiny_corpus):
    summary = json.loads((tiny_corpus / "results" / "summary.json").read_text())
    for fw, direction in (("mindspore", "ms2torch"), ("torch", "torch2ms")):
        group = summary["groups"][direction]
        name = next((tiny_corpus / "converted" / fw).rglob("*.py"))
        apis = json.loads((name.parent / (name.name + ".report.json")).read_text())
        assert group["files"] == 1 and group["crashes"] == 0
        assert group["api_uses"] == len(apis)
        assert group["converted"] == sum(a["status"] == "converted" for a in apis)
        assert group["idempotent"] in (0, 1)
    table = (tiny_corpus / "results" / "api_torch2ms.tsv").read_text().splitlines()
    assert table[0].split("\t")[:3] == ["rank", "api", "calls_model"]
    assert len(table) == 1 + 6   # the six torch APIs of TORCH_MODEL


def test_measure_refuses_an_unknown_kind_before_converting(tmp_path, capsys):
    (tmp_path / "manifest.tsv").write_text("framework\tkind\trepo\tpath\tcommit\tlocal_file\tlines\n"
                                           "torch\tutils\tus/tests\tu.py\t0\tu.py\t1\n")
    with pytest.raises(SystemExit) as exit_:
        measure.main([str(tmp_path), "--out", str(tmp_path / "results")])
    assert exit_.value.code == 2 and "kind must be 'model' or 'train'" in capsys.readouterr().err
    assert list((tmp_path / "results").iterdir()) == []


def test_run_check_classifies_with_the_source_framework_blocked(tmp_path):
    # stdlib stands in for the target framework: the subprocess then needs no 4-second framework import
    files = {
        "ok.py": "import json\n\n\nclass Net(json.JSONEncoder):\n    pass\n",
        "blocked.py": "import mindspore\nimport json\n",
        "broken.py": "import json\nlayer = json.NoSuchLayer\n",
        "marked.py": "import json\nlayer = json.NoSuchLayer  # msbridge: unsupported: x\n",
        "local.py": "from .helpers import thing\nfrom src.config import config\nimport json\n",
    }
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        paths.append(tmp_path / name)
    results = {Path(r["file"]).name: r for r in run_check.run_direction(paths, "mindspore", timeout=300)}
    verdicts = {name: [c["verdict"] for c in run_check.classify(r, complete=False)]
                for name, r in results.items()}
    assert verdicts == {"ok.py": [], "blocked.py": ["source-import-kept"], "broken.py": ["unflagged"],
                        "marked.py": ["flagged"], "local.py": []}
    assert results["ok.py"]["ran"] == 2 and len(results["local.py"]["stubs"]) == 2
    complete = run_check.classify(results["blocked.py"], complete=True)
    assert [c["verdict"] for c in complete] == ["unflagged"]   # a "fully converted" file still importing it


def test_run_check_stands_in_for_every_name_a_failed_tuple_assignment_binds(tmp_path):
    # corpus6: `train_x, train_y = ...` failed on a name bound by code the check skips; the next statement's NameError
    # for train_x was an unflagged failure, though it fails only because of the first one
    path = tmp_path / "pair.py"
    # ... and a statement reading a stand-in is inconclusive whatever its error says (TensorDataset(stub, stub):
    # "Size mismatch between tensors")
    path.write_text("import json\nfor _ in range(1):\n    pair = (1, 2)\nfirst, second = pair\nagain = first + 1\n"
                    "ratio = 1 // (second == 2)\n")
    result, = run_check.run_direction([path], "mindspore", timeout=300)
    assert [c["verdict"] for c in run_check.classify(result, complete=False)] == ["inconclusive"] * 3


def test_merge_aliases_joins_spellings_of_one_real_api_only():
    def row(api, calls):
        return {"api": api, "aliases": "", "calls": calls, "uses": calls, "kinds": {"call": calls}}

    table = {name: row(name, n) for name, n in (("torch.nn.modules.linear.Linear", 2), ("torch.nn.Linear", 3),
                                                 ("torch.float32", 1), ("torch.nn.NoSuchThing", 4))}
    merged = measure.merge_aliases(table)
    assert sorted(merged) == ["torch.float32", "torch.nn.Linear", "torch.nn.NoSuchThing"]
    assert merged["torch.nn.Linear"]["calls"] == 5
    assert merged["torch.nn.Linear"]["aliases"] == "torch.nn.modules.linear.Linear"


def test_a_build_failing_the_same_way_on_the_original_is_not_a_finding(tmp_path):
    path = tmp_path / "converted.py"
    path.write_text("import json\nnet = 1\n")
    result = {"file": str(path), "failures": [{"line": 2, "cause": "build", "build": "Net", "error": "TypeError: x"}]}

    def verdicts(original):
        return [c["verdict"] for c in run_check.classify(result, False, original)]

    assert verdicts({"Net": "TypeError: y"}) == ["original-fails-too"]
    assert verdicts({"Net": "AttributeError: y"}) == ["unflagged"]   # failed there for another reason
    assert verdicts({}) == ["unflagged"]                              # built fine there
    # the original failed on a stand-in (corpus3: wgan_gp's int(stub)), not the way the conversion did
    assert verdicts({"Net": "TypeError: int() argument must be a real number, not '_Anything'"}) == ["unflagged"]


def test_coverage_doc_groups_by_table_family_and_lists_the_tail(tmp_path):
    coverage = _load("corpus_coverage_doc")
    header = "rank\tapi\tcalls_model\tcalls_model_converted\n"
    rows = {"ms2torch": [("mindspore.nn.Conv2d", 90, 80), ("mindspore.nn.SequentialCell", 6, 0),
                         ("mindspore.ops.Sub", 3, 0), ("mindspore.ops.Mul", 1, 1)],
            "torch2ms": [("torch.nn.ReLU", 10, 10)]}
    for key, apis in rows.items():
        (tmp_path / f"api_{key}.tsv").write_text(
            header + "".join(f"{i}\t{a}\t{c}\t{v}\n" for i, (a, c, v) in enumerate(apis, 1)), encoding="utf-8")
    group = {"files": 2, "pooled_rate": 0.5, "files_fully_converted": 1, "idempotent": 2}
    (tmp_path / "summary.json").write_text(json.dumps({"groups": {"ms2torch": group}}), encoding="utf-8")
    manifest = tmp_path / "manifest.tsv"
    manifest.write_text("framework\tkind\trepo\tpath\tcommit\tlocal_file\tlines\n"
                        "mindspore\tmodel\to/r\tnet.py\t" + "a" * 40 + "\tx.py\t9\n", encoding="utf-8")
    text = coverage.render(tmp_path, manifest)
    assert "| mindspore | o/r | 1 | aaaaaaaaaaaa |" in text and "| ms2torch | 2 | 50.0% | 1 | 2 |" in text
    assert "100 model-definition call sites of 4 APIs; 81 reported converted (81.0%)" in text
    assert "| layers | 1 | 90 | 80 | 88.9% |" in text          # Conv2d's row lives in mapping_tables/layers.toml
    assert "| `mindspore.nn.SequentialCell` |" in text          # within 95% (90 + 6 = 96)
    assert "`mindspore.ops.Sub` (3)" in text and "`mindspore.ops.Mul` (1)" not in text   # the tail: nothing converted


def test_forward_check_compares_the_conversion_with_the_original_on_the_same_weights(tmp_path):
    """corpus_forward: the original's weights go into the conversion by name (MindSpore's gamma/moving_mean are
    torch's weight/running_mean), both run on one input; equal, different and unmatched weights are told apart."""
    import mindspore
    import torch

    forward = _load("corpus_forward")

    class Original(mindspore.nn.Cell):
        def __init__(self):
            super().__init__()
            self.fc = mindspore.nn.Dense(16, 4)
            self.bn = mindspore.nn.BatchNorm1d(4)

        def construct(self, x):
            return mindspore.ops.tanh(self.bn(self.fc(x)))

    class Port(torch.nn.Module):
        def __init__(self, act=torch.tanh, name="bn"):
            super().__init__()
            self.fc = torch.nn.Linear(16, 4)
            setattr(self, name, torch.nn.BatchNorm1d(4))
            self.act, self.name = act, name

        def forward(self, x):
            return self.act(getattr(self, self.name)(self.fc(x)))

    original = Original()
    original.bn.moving_mean.set_data(mindspore.Tensor(np.arange(4, dtype=np.float32)))   # eval mode reads it
    npz = str(tmp_path / "net.npz")
    assert forward.export(original, "mindspore", npz) == "exported (2, 16)"
    assert forward.compare(Port(), "torch", npz)["verdict"] == "equal"
    assert forward.compare(Port(act=torch.sigmoid), "torch", npz)["verdict"] == "differs"
    assert forward.compare(Port(name="norm"), "torch", npz)["verdict"] == "inconclusive"


def test_forward_check_does_not_compare_a_model_that_samples(tmp_path):
    import torch

    forward = _load("corpus_forward")

    class Sampler(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(16, 4)

        def forward(self, x):
            return self.fc(x) + torch.randn(x.shape[0], 4)   # a VAE's reparameterisation

    assert forward.export(Sampler(), "torch", str(tmp_path / "s.npz")).startswith("stochastic")
    assert not (tmp_path / "s.npz").exists()
