"""A guarded import of the source framework whose fallback the converted file would take.

``try: import mindspore.nn as nn; HAVE_MS = True`` / ``except ImportError: HAVE_MS = False`` (mindnlp's
``lora.py``: ``class LoRALinear(nn.Cell if MINDSPORE_AVAILABLE else object)``). Where the conversion leaves
nothing reading what the guarded import binds, ``imports.fix_imports`` turns it into ``import torch``: the
guard tests the framework the converted file runs on. Where something still reads it (an API left
unconverted), the import stays, and run without the source framework, as a ported program is, the ``except``
branch runs: the flag says "absent", the converted class derives from ``object``, or the handler raises.
Such an import is ``review`` on its line when its handler raises, or sets a name the file reads elsewhere. A
handler that only passes or prints changes nothing the program computes.
"""
from __future__ import annotations

import ast

from msbridge.convert.rules.source_libraries import FRAMEWORK_NAMES, catches_import_error, mark_line

API = "guarded import"
WHY = ("this import of {framework} is guarded, and without {framework} (as the converted program runs) the "
       "except branch runs: {what}: point the guard at {target}, or remove it")


def mark(nodes: list[ast.AST], lines: list[str], source: str, target: str, report, review: str) -> None:
    """Mark each such import in ``lines`` ``review`` (once) and report it. ``nodes``: every node of the tree
    parsed from ``lines``, in ``ast.walk``'s order."""
    read = None
    for node in nodes:
        if not isinstance(node, ast.Try):
            continue
        handlers = [h for h in node.handlers if catches_import_error(h)]
        imports = [s for s in node.body if _imports(s, source)]
        if not handlers or not imports:
            continue
        if read is None:   # the names the file reads: only for a file with such a guard
            read = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        what = _fallback(handlers, read, source)
        if what is None:
            continue
        message = WHY.format(framework=FRAMEWORK_NAMES[source], what=what, target=FRAMEWORK_NAMES[target])
        report.add(API, imports[0].lineno, review, None, message)
        mark_line(lines, imports[0], f"{review}: {API}: {message}")


def _imports(stmt: ast.stmt, source: str) -> bool:
    if isinstance(stmt, ast.Import):
        modules = [a.name for a in stmt.names]
    elif isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module:
        modules = [stmt.module]
    else:
        return False
    return any(m == source or m.startswith(source + ".") for m in modules)


def _fallback(handlers: list[ast.ExceptHandler], read: set[str], source: str) -> str | None:
    """What the handlers do that changes the program, or None."""
    for handler in handlers:
        for node in ast.walk(handler):
            if isinstance(node, ast.Raise):
                return "it raises"
            if _imports(node, source):   # torchvision's `except ImportError: from torch.utils.model_zoo import ...`
                return f"it imports {FRAMEWORK_NAMES[source]} too, so importing this file fails"
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = sorted({n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)} & read)
                if names:
                    return f"it sets {', '.join(names)}, which the file reads"
    return None
