"""Which translation applies to an API: table rows, or msbridge's runtime mirror.

The converter never hard-codes how an API translates: argument rules come from
``msbridge.tables`` rows. This module only answers the lookups the rewrite
needs, per direction:

* ``rows(name, source)``: rows whose ``source`` side is ``name`` and that
  translate that way (spelling variants such as ``mindspore.nn.optim.Momentum``
  fall back to the shorter public name ``mindspore.nn.Momentum``);
* ``mirror(name, target)``: msbridge's runtime API with the SAME signature and
  semantics as ``name`` that runs on ``target`` (``mindspore.nn.cosine_decay_lr``
  -> ``msbridge.mindspore.nn.cosine_decay_lr`` computing on torch). Used where the
  target has no exact native counterpart. Found by reading msbridge's package
  ``__init__`` files with ``ast`` (no import: the runtime imports the frameworks).
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

import msbridge
from msbridge.tables import ApiRow, load_tables

FRAMEWORKS = ("torch", "mindspore")
PACKAGE_DIR = Path(msbridge.__file__).resolve().parent


def other(framework: str) -> str:
    return "mindspore" if framework == "torch" else "torch"


def framework_of(name: str) -> str | None:
    """'torch' / 'mindspore' for a real framework API, None for anything else."""
    root = name.split(".", 1)[0]
    return root if root in FRAMEWORKS else None


# What the msbridge.bridge helpers the converter emits hand back: a second run must know that
# ``load_torch_state_dict(path)`` holds torch objects, as the first run knew of the call it replaced.
BRIDGE_OUTPUTS = {
    "msbridge.bridge.checkpoint_script.load_torch_state_dict": "torch",
    "msbridge.bridge.checkpoint_script.load_mindspore_checkpoint": "mindspore",
    "msbridge.bridge.labels_torch.CrossEntropyLoss": "torch",
    "msbridge.bridge.labels_mindspore.CrossEntropyLoss": "mindspore",
}
# msbridge functions a converted file calls that return their first argument: the result is what that argument is
# (a second conversion must type ``init_data(initializer(...))`` as the first typed ``initializer(...).init_data()``)
BRIDGE_PASS_THROUGH = frozenset({"msbridge.bridge.tensor_methods.init_data"})


def mirror_framework_of(name: str) -> str | None:
    """For ``msbridge.mindspore.X`` -> 'mindspore' (the API it imitates), etc."""
    parts = name.split(".")
    if len(parts) > 2 and parts[0] == "msbridge" and parts[1] in FRAMEWORKS:
        return parts[1]
    return None


@functools.lru_cache(maxsize=256)
def _exported(module: str) -> frozenset[str]:
    """Names a msbridge module defines or re-exports, read from its source."""
    rel = Path(*module.split(".")[1:])
    for path in (PACKAGE_DIR / rel / "__init__.py", PACKAGE_DIR / rel.with_suffix(".py")):
        if path.is_file():
            break
    else:
        return frozenset()
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return frozenset()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(n for n in names if not n.startswith("_") or n == "_LRScheduler")


@functools.lru_cache(maxsize=64)
def _objects_bound_by(init_path: str) -> frozenset[str]:
    """Names a package's ``__init__.py`` imports from one of its modules as objects (not as submodules)."""
    try:
        tree = ast.parse(Path(init_path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return frozenset()
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("msbridge."):
            folder = PACKAGE_DIR.joinpath(*node.module.split(".")[1:])
            for alias in node.names:
                if not ((folder / alias.name).is_dir() or (folder / f"{alias.name}.py").is_file()):
                    names.add(alias.asname or alias.name)
    return frozenset(names)


@functools.lru_cache(maxsize=64)
def _class_def(qualified: str) -> tuple[ast.ClassDef, ast.Module] | None:
    """The ``class`` statement of a msbridge class and its module's tree, read from source (re-exports followed)."""
    module, _, cls = qualified.rpartition(".")
    rel = Path(*module.split(".")[1:])
    for path in (PACKAGE_DIR / rel / "__init__.py", PACKAGE_DIR / rel.with_suffix(".py")):
        if path.is_file():
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, ast.ClassDef) and node.name == cls:
                    return node, tree
                if isinstance(node, ast.ImportFrom) and node.module and \
                        any((a.asname or a.name) == cls for a in node.names):
                    source = next(a.name for a in node.names if (a.asname or a.name) == cls)
                    return _class_def(f"{node.module}.{source}")
    return None


def _class_attributes(qualified: str) -> frozenset[str]:
    """Names a msbridge class assigns in its body (``ParallelMode.DATA_PARALLEL``)."""
    found = _class_def(qualified)
    if found is None:
        return frozenset()
    return frozenset(t.id for s in found[0].body if isinstance(s, ast.Assign) for t in s.targets
                     if isinstance(t, ast.Name))


def twin_subclasses(twin: str, native: str) -> bool:
    """Whether msbridge's class ``twin`` names ``native`` as a base (``SequentialCell(torch.nn.Sequential)``)."""
    found = _class_def(twin)
    if found is None:
        return False
    cls, tree = found
    table = {}
    for node in tree.body:
        if isinstance(node, ast.Import):   # `import torch.nn as tnn` binds tnn; `import torch.nn` binds torch
            table.update({a.asname: a.name for a in node.names if a.asname})
            table.update({a.name.split(".")[0]: a.name.split(".")[0] for a in node.names if not a.asname})
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            table.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
    for base in cls.bases:
        dotted = ast.unparse(base)
        head, _, rest = dotted.partition(".")
        if head in table and f"{table[head]}{'.' + rest if rest else ''}" == native:
            return True
    return False


def runtime_exists(name: str) -> bool:
    module, _, attr = name.rpartition(".")
    return attr in _exported(module)


def _shortenings(name: str):
    """``a.b.c.X`` then ``a.b.X``, ``a.X``: private module paths to the public name."""
    parts = name.split(".")
    yield name
    for cut in range(len(parts) - 2, 0, -1):
        yield ".".join(parts[:cut] + parts[-1:])


class Catalog:
    """Lookups over the loaded tables; cheap to build, shared by every file."""

    def __init__(self, tables=None):
        self.tables = tables if tables is not None else load_tables()
        self._index: dict[tuple[str, str], tuple[ApiRow, ...]] = {}
        self._types: dict[tuple[str, str], ApiRow] = {}   # rows that apply only where the API is named as a type
        for row in self.tables.rows:
            for source in FRAMEWORKS:
                ref = row.side(source)
                if ref is None or row.side(other(source)) is None:
                    continue
                if f"to_{other(source)}" not in row.directions:
                    continue
                key = (ref.name, source)
                if row.category == "type":
                    self._types[key] = row
                else:
                    self._index[key] = self._index.get(key, ()) + (row,)
        # every package a row's API lives in (`mindspore.nn` for `mindspore.nn.Dense`)
        self._modules = {name.rsplit(".", i)[0] for name, _ in self._index for i in range(1, name.count(".") + 1)}

    def rows(self, name: str, source: str) -> tuple[ApiRow, ...]:
        for candidate in _shortenings(name):
            found = self._index.get((candidate, source))
            if found:
                return found
        return ()

    def type_row(self, name: str, source: str) -> ApiRow | None:
        """The ``type`` row of ``name``: its counterpart where it is named as a type (``isinstance``, annotations)."""
        return next((self._types[(c, source)] for c in _shortenings(name) if (c, source) in self._types), None)

    def public_type_name(self, name: str, source: str) -> str:
        return next((c for c in _shortenings(name) if (c, source) in self._types), name)

    def public_name(self, name: str, source: str) -> str:
        """The spelling the tables use for ``name`` (or ``name`` itself)."""
        for candidate in _shortenings(name):
            if (candidate, source) in self._index:
                return candidate
        return name

    def is_module(self, name: str) -> bool:
        """True for a module or package (``mindspore.nn``), which is not itself an API with a row."""
        if name in self._modules:
            return True
        parts = name.split(".")
        rel = Path(*(parts[1:] if parts[0] == "msbridge" else parts))
        if not ((PACKAGE_DIR / rel).is_dir() or (PACKAGE_DIR / rel).with_suffix(".py").is_file()):
            return False
        # `torch.device` is a class although msbridge has a file torch/device.py: the package binds the name
        # to the object the file defines (`from msbridge.torch.device import device`), as torch does
        return parts[-1] not in _objects_bound_by(str(PACKAGE_DIR / rel.parent / "__init__.py"))

    def mirror(self, name: str, target: str) -> str | None:
        """msbridge's runtime twin of source API ``name`` that runs on ``target``."""
        source = framework_of(name)
        if source is None or source == target:
            return None
        for candidate in _shortenings(name):
            mirrored = f"msbridge.{candidate}"
            if runtime_exists(mirrored):
                return mirrored
        owner, _, attr = name.rpartition(".")   # a class attribute: `mindspore.context.ParallelMode.DATA_PARALLEL`
        if attr.isupper() and owner.count(".") >= 1 and owner.rpartition(".")[2][:1].isupper():
            twin = self.mirror(owner, target)
            if twin is not None and attr in _class_attributes(twin):
                return f"{twin}.{attr}"
        return None
