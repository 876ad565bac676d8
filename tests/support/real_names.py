"""Every framework or msbridge name a conversion writes exists: resolved in the real, installed packages.

A rewrite to a name the target framework does not have (``torch.tensor_methods.max``, written when a converted
file was converted back) fails at run time with AttributeError, yet was reported converted. This reads a
converted file with ``ast`` and resolves every dotted reference rooted at an import of torch, MindSpore or msbridge
(``torch.nn.functional.normalize``, ``from mindspore.ops import clip_by_global_norm``) by importing the longest
module prefix and reading the rest as attributes, as the program would. Lines carrying a ``# msbridge:`` mark are
skipped: the converter already told the user about them.
"""
from __future__ import annotations

import ast
import functools
import importlib

from msbridge.convert.scan import _dotted as dotted_name   # `a.b.c` of a Name/Attribute chain, else None

ROOTS = ("torch", "mindspore", "msbridge")
MARK = "# msbridge:"


@functools.lru_cache(maxsize=None)
def resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            importlib.import_module(".".join(parts[:cut]))
            break
        except ImportError:
            continue
        except Exception:   # noqa: BLE001 - a module that fails to import is not a name the program can use
            return False
    else:
        return False
    obj = importlib.import_module(parts[0])
    for part in parts[1:]:
        try:
            obj = getattr(obj, part)
        except Exception:   # noqa: BLE001 - AttributeError, or a lazy attribute that fails
            return False
    return True


@functools.lru_cache(maxsize=None)
def importable_from(module: str, name: str) -> bool:
    """``from module import name`` works (it reads sys.modules, not the parent package's attributes)."""
    try:
        imported = importlib.import_module(module)
    except Exception:   # noqa: BLE001
        return False
    if hasattr(imported, name):
        return True
    try:
        importlib.import_module(f"{module}.{name}")
        return True
    except Exception:   # noqa: BLE001
        return False


@functools.lru_cache(maxsize=None)
def _chain(imported: str, attributes: tuple[str, ...]) -> bool:
    """``module:name`` (a from-import) or a dotted module, then attributes read off it, as the program reads them."""
    if ":" in imported:
        module, name = imported.split(":")
        if not importable_from(module, name):
            return False
        base = importlib.import_module(module)
        obj = getattr(base, name) if hasattr(base, name) else importlib.import_module(f"{module}.{name}")
    else:
        return resolves(".".join([imported, *attributes]))
    for part in attributes:
        try:
            obj = getattr(obj, part)
        except Exception:   # noqa: BLE001
            return False
    return True


def _rebound(tree: ast.Module) -> set[str]:
    """Names the file binds other than by import: such a name may hold anything, so it is not resolved."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def unresolved(code: str) -> list[tuple[int, str]]:
    """(line, name) of each reference to a torch/MindSpore/msbridge name that does not exist, outside marked lines."""
    tree = ast.parse(code)
    lines = code.splitlines()
    marked = set()   # lines with a mark, and the lines under a comment block holding one (a line that had a comment)
    for number, line in enumerate(lines, start=1):
        if MARK in line:
            marked.add(number)
        elif not line.lstrip().startswith("#"):
            above = number - 1
            while above >= 1 and lines[above - 1].lstrip().startswith("#"):
                if MARK in lines[above - 1]:
                    marked.add(number)
                    break
                above -= 1
    aliases: dict[str, str] = {}   # local name -> dotted name, resolved from its import (see _chain)
    found = []
    local_imports = {a.asname or a.name.split(".")[0] for f in ast.walk(tree)
                     if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                     for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ROOTS:
                    aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else \
                        alias.name.split(".")[0]
                    if not resolves(alias.name) and node.lineno not in marked:
                        found.append((node.lineno, alias.name))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level \
                and node.module.split(".")[0] in ROOTS:
            for alias in node.names:
                if alias.name == "*":
                    continue
                aliases[alias.asname or alias.name] = f"{node.module}:{alias.name}"
                if not importable_from(node.module, alias.name) and node.lineno not in marked:
                    found.append((node.lineno, f"{node.module}.{alias.name}"))
    for name in _rebound(tree) | local_imports:   # bound otherwise too, or only inside a function: may be anything
        aliases.pop(name, None)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            text = dotted_name(node)
            parts = None if text is None else text.split(".")
            if parts is None or parts[0] not in aliases or node.lineno in marked:
                continue
            if not _chain(aliases[parts[0]], tuple(parts[1:])):
                found.append((node.lineno, ".".join([aliases[parts[0]].replace(":", "."), *parts[1:]])))
    # report the shortest failing chain once (``a.b.c`` fails too when ``a.b`` does)
    failing = sorted(set(found))
    return [(line, name) for line, name in failing
            if not any(other != name and name.startswith(other + ".") and l == line for l, other in failing)]
