"""Property: over generated trees (random names, links including loops and links into the input,
FIFOs and dangling links, output folders inside and outside the input), ``msbridge convert``
without --in-place never changes an input byte and never leaves a temporary file (issue 11)."""
import os
import stat
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

from msbridge.cli import main

CONTENTS = [
    b"from mindspore import nn\nrelu = nn.ReLU()  # keep\n",
    b"import torch\nrelu = torch.nn.ReLU()\n",
    b"from mindspore import nn\ndef broken(:\n",
    b"\x00\xff\xfe binary",
    "# caf\xe9\nfrom mindspore import nn\n".encode("latin-1"),
    b"\xef\xbb\xbffrom mindspore import nn\nx = nn.Dense(2, 3)\r\n",
]
NAMES = st.text("abcxyz_-. \u00e9\u4e2d0123456789", min_size=1, max_size=10).filter(
    lambda n: n not in (".", "..") and not n.startswith(".") and not n.endswith(".tmp"))
FILES = st.lists(st.tuples(NAMES, st.sampled_from([".py", ".txt", ""]), st.booleans(),
                           st.integers(0, len(CONTENTS) - 1)), max_size=6)
LINKS = st.lists(st.tuples(NAMES, st.sampled_from(["loop", "dangling", "to_file", "to_tree", "to_outside", "fifo"])),
                 max_size=4)
OUTPUTS = st.sampled_from(["outside", "inside", "link_into_input", "dry_run", "outside_existing"])


def _snapshot(root: Path) -> dict:
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                out[str(path)] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                out[str(path)] = ("file", path.read_bytes())
            else:
                out[str(path)] = ("other", stat.S_IFMT(info.st_mode))
    return out


def _build(base: Path, files, links) -> Path:
    tree = base / "tree"
    (tree / "sub").mkdir(parents=True)
    (base / "outside.py").write_bytes(CONTENTS[0])
    for stem, suffix, nested, content in files:
        path = tree / ("sub" if nested else "") / (stem + suffix)
        if not path.exists():
            path.write_bytes(CONTENTS[content])
    for stem, kind in links:
        path = tree / (stem + ".py")
        if os.path.lexists(path):
            continue
        if kind == "fifo":
            os.mkfifo(path)
        else:
            target = {"loop": path.name, "dangling": "missing.py", "to_tree": ".", "to_outside": "../outside.py",
                      "to_file": next((p.name for p in tree.iterdir() if p.is_file()), "missing.py")}[kind]
            path.symlink_to(target)
    return tree


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=FILES, links=LINKS, output=OUTPUTS, jobs=st.sampled_from([1, 2]))
@example(files=[("a", ".py", False, 0), ("b", ".py", True, 2)], links=[("l", "loop"), ("t", "to_tree")],
         output="inside", jobs=1)
@example(files=[("a", ".py", False, 0), ("x", ".txt", True, 3)], links=[("o", "to_outside"), ("f", "fifo")],
         output="outside", jobs=2)
@example(files=[("a", ".py", False, 5)], links=[("d", "dangling"), ("c", "to_file")], output="link_into_input",
         jobs=1)
@example(files=[("\u4e2d \u00e9", ".py", True, 4)], links=[], output="outside_existing", jobs=1)
def test_fuzz_trees_inputs_never_change_and_no_temporary_file_remains(files, links, output, jobs):
    with tempfile.TemporaryDirectory(prefix="msbridge_fuzz_") as base_name:
        base = Path(base_name)
        tree = _build(base, files, links)
        report = base / "report.json"
        out = {"outside": base / "out", "outside_existing": base / "out", "inside": tree / "sub" / "out",
               "link_into_input": base / "outlink", "dry_run": None}[output]
        if output == "link_into_input":
            out.symlink_to(tree / "sub")
        if output == "outside_existing":
            out.mkdir()
            (out / "old.py").write_text("kept\n")
        before = _snapshot(base)
        args = ["convert", str(tree), "--report", str(report), "-j", str(jobs)]
        if out is not None:
            args += ["-o", str(out)]
        code = main(args)
        after = _snapshot(base)
        inputs = {path: entry for path, entry in before.items() if path.startswith(str(tree))}
        assert {path: after.get(path) for path in inputs} == inputs, "an input changed without --in-place"
        assert (base / "outside.py").read_bytes() == CONTENTS[0]
        leftovers = [p for p in after if Path(p).name.startswith(".") and p.endswith(".tmp")]
        assert not leftovers, leftovers
        if output in ("inside", "link_into_input"):
            assert code == 2 and after == before, "refused before writing anything"
        else:
            assert code in (0, 1, 3)
            assert report.is_file()
            if out is not None:
                for path, (kind, data) in inputs.items():
                    rel = Path(path).relative_to(tree)
                    if kind == "file" and not str(rel).startswith("sub/out"):
                        assert (out / rel).is_file(), rel    # every readable file converted or copied
