"""Networks defined in the other files of one conversion run (``from src.resnet import resnet50``).

Why: a training script builds its network from its project (``net = resnet50(class_num=10)``), and a
file converted alone cannot know that ``net`` becomes a network of the target framework, so every
statement that needs one (``load_param_into_net(net, ...)``, the default train/eval mode) had to stay
``review``. When the defining file is converted in the same run, from the same framework, its network
classes become the target's: this index says which names those are.

Read with ``ast`` only (nothing is imported or run). A name counts as a network when it is
* a class with a base from the framework's ``nn`` package (``nn.Cell``, ``nn.Module``, ``nn.SequentialCell``)
  or a base that is itself a project network (in that file or imported from another one);
* a module-level function that returns a call of a network (``return ResNet(...)``), directly or
  through a name assigned from one in its body.
Imports are resolved as Python would for a script of the tree: relative imports from the file's
package; absolute ones from the file's folder, then each folder above it up to the tree's root. Imports
anywhere in a file count (under ``if config.net == ...:``, inside a ``get_network`` function).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from msbridge.convert.scan import _dotted
from msbridge.convert.walk_ast import walk_all

FRAMEWORKS = ("mindspore", "torch")
MODE_METHODS = ("set_train", "train", "eval")
BATCH = 16   # files per worker job when the facts are gathered in parallel


@dataclass(frozen=True)
class Networks:
    """Project networks one file imports. Names are spelled as the file's imports resolve them: qualified for an
    absolute import (``src.resnet.resnet50``), the local name for a relative one (``ResNet``)."""
    qualified: frozenset[str] = frozenset()
    local: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()     # those that are classes (the rest are factories returning one)
    own_mode: frozenset[str] = frozenset()    # classes whose __init__ sets a mode itself


NONE = Networks()


@dataclass
class _FileFacts:
    """What ``_find_networks`` reads of one file, as plain data: gathered once (in worker processes for a tree
    converted with ``-j N``: parsing every file is the serial part of a run), re-read by the fixed point."""
    aliases: dict[str, str]                    # names bound by absolute imports -> qualified name
    import_froms: list[tuple[str, int, list[str]]]   # (module, level, names) anywhere (``get_network``'s too)
    classes: list[tuple[str, list[str | None], bool]]   # top-level: (name, dotted bases, __init__ sets a mode)
    functions: list[tuple[str, list[tuple[str, str | None]], list[tuple[str, str | None]]]]
    # top-level: (name, [(assigned name, dotted callee)], [("call", dotted callee) | ("name", returned name)])


def _callee(expr: ast.expr) -> str | None:
    return _dotted(expr.func if isinstance(expr, ast.Call) else expr)


def _facts(tree: ast.Module) -> _FileFacts:
    aliases, import_froms = {}, []
    for node in walk_all(tree):   # imports under `if` and inside functions (``get_network``) too
        if isinstance(node, ast.Import):   # `import torch.nn as tnn` binds tnn; `import torch.nn` binds torch
            aliases.update({a.asname: a.name for a in node.names if a.asname})
            aliases.update({a.name.split(".")[0]: a.name.split(".")[0] for a in node.names if not a.asname})
        elif isinstance(node, ast.ImportFrom):
            import_froms.append((node.module or "", node.level, [a.name for a in node.names],
                                 [a.asname or a.name for a in node.names]))
            if not node.level and node.module:
                aliases.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
    classes = [(n.name, [_callee(b) for b in n.bases], _sets_own_mode(n))
               for n in tree.body if isinstance(n, ast.ClassDef)]
    functions = []
    for n in tree.body:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            statements = [s for s in walk_all(n) if isinstance(s, (ast.Assign, ast.Return))]
            assigns = [(s.targets[0].id, _callee(s.value)) for s in statements if isinstance(s, ast.Assign)
                       and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) and isinstance(s.value, ast.Call)]
            returns = [("call", _callee(s.value)) if isinstance(s.value, ast.Call) else ("name", s.value.id)
                       for s in statements if isinstance(s, ast.Return)
                       and isinstance(s.value, (ast.Call, ast.Name))]
            functions.append((n.name, assigns, returns))
    return _FileFacts(aliases, import_froms, classes, functions)


def file_facts(paths: list[str]) -> list[tuple[str, _FileFacts | None]]:
    """(path, facts, or None for a file that cannot be read or parsed) of each file: a worker's job."""
    found = []
    for path in paths:
        try:
            found.append((path, _facts(ast.parse(Path(path).read_bytes()))))
        except (OSError, SyntaxError, ValueError, RecursionError):
            found.append((path, None))   # reported by the conversion itself
    return found


def _gather(files: list[str], jobs: int) -> list[tuple[str, _FileFacts | None]]:
    """Every file's facts, in ``jobs`` forked workers when there are enough files to pay for them."""
    if jobs <= 1 or len(files) < 2 * BATCH:
        return file_facts(files)
    from msbridge.convert.workers import WorkerPool

    batches = [files[i:i + BATCH] for i in range(0, len(files), BATCH)]
    with WorkerPool(min(jobs, len(batches)), file_facts, lambda batch, _code: [(p, None) for p in batch]) as pool:
        return [item for _, found in pool.imap_unordered(enumerate(batches)) for item in found]


class Project:
    def __init__(self, files, root: Path, jobs: int = 1):
        self.root = Path(root).resolve()
        self._files: dict[Path, _FileFacts] = {
            Path(path).resolve(): facts for path, facts in _gather([str(f) for f in files], jobs)
            if facts is not None}
        self.networks: dict[Path, dict[str, str]] = {path: {} for path in self._files}   # name -> framework
        self.classes: dict[Path, dict[str, bool]] = {path: {} for path in self._files}   # class -> sets own mode
        for _ in range(8):   # to a fixed point: bases and factories may come from other project files
            if not any([self._find_networks(path) for path in self._files]):
                break

    # ---- what an importing file sees --------------------------------------------------------
    def seen_by(self, path: Path, tree: ast.Module, source: str, nodes: list[ast.AST] | None = None) -> Networks:
        """The networks of framework ``source`` defined in the project that ``tree`` (the file at ``path``) imports.
        ``nodes``: the tree's nodes when the caller has walked it already."""
        qualified, local, classes, own_mode = set(), set(), set(), set()
        path = Path(path).resolve()
        if nodes is None:
            nodes = walk_all(tree) if tree is not None else ()
        for node in nodes:   # imports under `if` and in functions too
            if not isinstance(node, ast.ImportFrom):
                continue
            imported = (node.module or "", node.level, [a.name for a in node.names],
                        [a.asname or a.name for a in node.names])
            for module_file, name, bound, spelled in self._imported(path, imported):
                if self.networks.get(module_file, {}).get(name) != source:
                    continue
                (local if spelled is None else qualified).add(spelled or bound)
                if name in self.classes[module_file]:
                    classes.add(spelled or bound)
                    if self.classes[module_file][name]:
                        own_mode.add(spelled or bound)
        return Networks(frozenset(qualified), frozenset(local), frozenset(classes), frozenset(own_mode))

    def _imported(self, path: Path, imported: tuple[str, int, list[str], list[str]]):
        """(defining file, name there, local name, qualified spelling or None) for each name a ``from`` import
        ``(module, level, names, bound names)`` binds."""
        module, level, names, bound = imported
        module_file = self._module_file(path, module, level)
        if module_file is None:
            return
        for name, local in zip(names, bound):
            yield module_file, name, local, f"{module}.{name}" if not level else None

    def _module_file(self, importer: Path, module: str, level: int) -> Path | None:
        parts = [p for p in module.split(".") if p]
        if level:
            bases = [importer.parents[level - 1]] if level <= len(importer.parents) else []
        else:
            bases = [folder for folder in importer.parents if folder == self.root or self.root in folder.parents]
        for base in bases:
            for candidate in (base.joinpath(*parts).with_suffix(".py") if parts else None,
                              base.joinpath(*parts, "__init__.py")):
                if candidate is not None and candidate in self._files:
                    return candidate
        return None

    # ---- what a file defines ------------------------------------------------------------------
    def _find_networks(self, path: Path) -> bool:
        """Add the networks ``path`` defines given what is known so far; whether any was added."""
        facts, known, classes = self._files[path], self.networks[path], self.classes[path]
        aliases, imported = facts.aliases, {}
        for node in facts.import_froms:
            for module_file, name, bound, _ in self._imported(path, node):
                if name in self.networks.get(module_file, {}):
                    imported[bound] = self.networks[module_file][name]
        before = len(known)

        def framework_of(dotted: str | None) -> str | None:
            """The framework of the network class a dotted callee or base names, if it names one."""
            if dotted is None:
                return None
            if dotted in known:
                return known[dotted]
            if dotted in imported:
                return imported[dotted]
            head, _, rest = dotted.partition(".")
            full = f"{aliases[head]}.{rest}" if head in aliases and rest else aliases.get(head)
            if full is None:
                return None
            root = full.split(".")[0]
            last = full.rpartition(".")[2]
            if root in FRAMEWORKS and ".nn." in f"{full}." and last[:1].isupper():
                return root
            return None

        for name, bases, own_mode in facts.classes:
            if name not in known:
                frameworks = {framework_of(base) for base in bases} - {None}
                if len(frameworks) == 1:
                    known[name] = frameworks.pop()
                    classes[name] = own_mode or any(classes.get(base, False) for base in bases)
        for name, assigns, returns in facts.functions:
            if name not in known:
                found = _returned_network(assigns, returns, framework_of)
                if found is not None:
                    known[name] = found
        return len(known) > before


def _sets_own_mode(cls: ast.ClassDef) -> bool:
    """Its ``__init__`` calls a mode method (``self.set_train(False)``, ``self.backbone.eval()``)."""
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MODE_METHODS
               and (_dotted(node.func.value) or "").split(".")[0] == "self"
               for stmt in cls.body if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__"
               for node in ast.walk(stmt))


def _returned_network(assigns, returns, framework_of) -> str | None:
    """The framework of the network a function returns (a call of one, or a name assigned from one), or None;
    ``assigns``/``returns``: its ``name = callee(...)`` and ``return ...`` statements, in ``ast.walk`` order."""
    assigned = {}
    for name, callee in assigns:
        framework = framework_of(callee)
        if framework is not None:
            assigned[name] = framework
    for kind, value in returns:
        if kind == "call" and framework_of(value) is not None:
            return framework_of(value)
        if kind == "name" and value in assigned:
            return assigned[value]
    return None
