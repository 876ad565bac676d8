"""Imports of third-party libraries built on the source framework (``timm``, ``torchvision``; ``mindcv``...).

deit's ``models.py`` converted to MindSpore kept ``from timm.models.vision_transformer import
VisionTransformer`` and mae's ``models_vit.py`` was reported fully converted while its class still derived
from timm's (a torch Module): importing timm imports torch, and what timm builds (layers, ``trunc_normal_``
on a Parameter, the base class) stays torch. Each such import is ``review`` on its line, naming the library,
unless the file is part of that library's own source tree (converting timm itself converts its imports too),
or the import is guarded (``try: from apex import amp`` / ``except ImportError:``): without the source
framework it fails into the fallback the file already has.
"""
from __future__ import annotations

import ast
from pathlib import PurePath

# top-level packages (or dotted modules) that import the framework on import and build its objects
LIBRARIES = {
    "torch": ("timm", "torchvision", "torchaudio", "torchtext", "einops.layers.torch", "ema_pytorch", "accelerate",
              "pytorch_lightning", "lightning", "torchmetrics", "kornia", "apex", "fairscale", "xformers", "lpips"),
    "mindspore": ("mindcv", "mindnlp", "mindyolo", "mindocr", "mindaudio", "mindone", "mindformers", "mindvision",
                  "mindsponge", "tinyms",
                  # mindspore-ai/mindscience's packages and mindspore-lab's editing/RLHF suites (sixth corpus: SciAI's
                  # tutorials build sciai.architecture.MLP, a Cell, and were reported fully converted)
                  "sciai", "mindflow", "mindelec", "mindchemistry", "mindearth", "mindediting", "mindrlhf"),
}
FRAMEWORK_NAMES = {"torch": "torch", "mindspore": "MindSpore"}
CATCHES = ("ImportError", "ModuleNotFoundError", "Exception", "BaseException")   # a handler an import falls into
WHY = ("{lib} is built on {framework}: importing it imports {framework}, and what it builds (layers, models, "
       "tensors, base classes) stays {framework}: port what this file uses from it, or convert {lib}'s source too")


def library_of(module: str | None, source: str) -> str | None:
    """The source-framework library ``module`` belongs to, or None."""
    if not module:
        return None
    return next((lib for lib in LIBRARIES[source] if module == lib or module.startswith(lib + ".")), None)


def mark(nodes: list[ast.AST], lines: list[str], source: str, path: str, report, review: str) -> None:
    """Mark each import of a ``source`` library in ``lines`` ``review`` (once) and report it. ``nodes``: every
    node of the tree parsed from ``lines``, in ``ast.walk``'s order (one walk serves every question)."""
    own = set(PurePath(path).parts[:-1])   # the file's own package tree: its imports are converted with it
    guarded = {id(n) for t in nodes if isinstance(t, ast.Try) and any(map(catches_import_error, t.handlers))
               for stmt in t.body for n in ast.walk(stmt)}
    for node in nodes:
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules = [node.module]
        else:
            continue
        libs = [lib for lib in dict.fromkeys(library_of(m, source) for m in modules) if lib and
                lib.split(".")[0] not in own]
        if not libs:
            continue
        message = "; ".join(WHY.format(lib=lib, framework=FRAMEWORK_NAMES[source]) for lib in libs)
        for lib in libs:
            report.add(lib, node.lineno, review, None, WHY.format(lib=lib, framework=FRAMEWORK_NAMES[source]))
        mark_line(lines, node, f"{review}: {', '.join(libs)}: {message}")


def mark_line(lines: list[str], node: ast.stmt, text: str) -> None:
    """Append ``# msbridge: text`` to ``node``'s last line, unless an earlier run marked it."""
    index = (node.end_lineno or node.lineno) - 1
    line = lines[index]
    if "# msbridge:" in line:
        return
    body = line.rstrip("\r\n")
    lines[index] = f"{body}  # msbridge: {text}{line[len(body):]}"


def catches_import_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return caught is None or any(isinstance(n, ast.Name) and n.id in CATCHES for n in names)
