"""Where do a MindSpore step's gradients go? (whole-file question, asked once per file, with ``ast``)

torch keeps gradients in ``p.grad``; a MindSpore step holds them in a value. A
``(out), grads = grad_fn(...)`` step converts to ``zero_grad``/``backward``/``step``
only when ``grads`` goes nowhere but ``optimizer(grads)`` (as a statement or inside
``ops.depend(x, optimizer(grads))``). Clipping, all-reducing, unscaling or logging
``grads`` cannot be rewritten line by line: such steps, and every step of their
``grad_fn``, keep their shape (``rules.train_step``: msbridge's ``value_and_grad`` and
``apply_gradients(optimizer, grads)``).
"""
from __future__ import annotations

import ast

from msbridge.convert.scan import VALUE_AND_GRAD


def _scope_nodes(scope):
    """The nodes of one function (or module) body, nested functions and classes excluded."""
    stack = list(scope.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def _is_depend(node, imports) -> bool:
    if not isinstance(node, ast.Call) or not isinstance(node.func, (ast.Name, ast.Attribute)):
        return False
    name = imports.qualify(ast.unparse(node.func)) or ""
    return name.startswith("mindspore.") and name.endswith(".depend")


def escapes(tree, grad_fns, imports, nodes=None) -> tuple[dict[str, str], dict[int, str]]:
    """value_and_grad steps whose gradients are used beyond ``optimizer(grads)``.

    torch keeps gradients in ``p.grad``, so clipping, all-reducing or logging ``grads``
    cannot be rewritten line by line: such steps (and their grad_fn) keep their shape.
    Returns (grad_fn name -> why, step line -> why). ``nodes``: ``list(ast.walk(tree))`` when known.
    """
    every = list(ast.walk(tree)) if nodes is None else nodes
    by_fn: dict[str, str] = {}
    by_line: dict[int, str] = {}
    step_calls: set[int] = set()
    scopes = [tree, *(n for n in every if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]
    for scope in scopes:
        nodes = list(_scope_nodes(scope))
        for node in nodes:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.Call)
                    and isinstance(node.targets[0], ast.Tuple) and len(node.targets[0].elts) == 2
                    and isinstance(node.targets[0].elts[1], ast.Name)):
                continue
            func = node.value.func
            fn = func.id if isinstance(func, ast.Name) and func.id in grad_fns else None
            if fn is None and not (isinstance(func, ast.Call) and isinstance(func.func, (ast.Name, ast.Attribute))
                                   and imports.qualify(ast.unparse(func.func)) in VALUE_AND_GRAD):
                continue
            if fn is not None:
                step_calls.add(id(func))
            grads = node.targets[0].elts[1].id
            allowed = set()
            for other in nodes:   # OPT(grads) as a statement, or inside depend(x, OPT(grads))
                call = None
                if isinstance(other, ast.Expr):
                    call = other.value
                elif isinstance(other, (ast.Assign, ast.Return)) and _is_depend(other.value, imports):
                    call = other.value.args[1] if len(other.value.args) == 2 else None
                if (isinstance(call, ast.Call) and len(call.args) == 1 and not call.keywords
                        and isinstance(call.args[0], ast.Name) and call.args[0].id == grads):
                    allowed.add(id(call.args[0]))
            uses = [n for n in nodes if isinstance(n, ast.Name) and n.id == grads and id(n) not in allowed
                    and isinstance(n.ctx, ast.Load)]
            if uses:
                why = (f"the gradients '{grads}' are used beyond optimizer({grads}) in this function; torch keeps "
                       f"them in p.grad after loss.backward(): rewrite this step by hand")
                by_line[node.lineno] = why
                if fn is not None:
                    by_fn.setdefault(fn, why)
    for node in every:
        if isinstance(node, ast.Name) and node.id in grad_fns and isinstance(node.ctx, ast.Load):
            if id(node) not in step_calls and node.id not in by_fn:
                by_fn[node.id] = (f"'{node.id}' is used other than as '(out), grads = {node.id}(...)' "
                                  f"(line numbers shift as marks are added, so none is given): rewrite this step by hand")
    for fn, why in by_fn.items():   # one step left makes every step of that grad_fn stay
        for node in every:
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                    and isinstance(node.value.func, ast.Name) and node.value.func.id == fn):
                by_line.setdefault(node.lineno, why)
    return by_fn, by_line

