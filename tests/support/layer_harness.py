"""The differential harness for layer, loss and function rows: data in, verdict out.

For one example of a row: call the source API in the four call styles (bound to the REAL
signature in Python, no subprocess), translate each through the row, build the source and
the target object once, copy every parameter through the row's parameter map, feed the
same inputs (in train and eval mode where the row says they differ) and collect outputs,
gradients of the inputs and of the parameters, and the buffers after the pass.
Adding a row to a table adds a case; nothing here names a row.
"""
from __future__ import annotations

import fnmatch
import inspect
from dataclasses import dataclass, field

import mindspore
from mindspore.graph.api import _pynative_executor   # the PyNative executor whose forward cache goes stale
import numpy as np
import torch

from msbridge.bridge.real_api import documented_overloads, real_params, resolve
from msbridge.tables.records import ApiRef, ApiRow, Example, InputSpec, Param
from msbridge.tables.translate import same_value, translate

OTHER = {"mindspore": "torch", "torch": "mindspore"}
LABEL_DTYPES = {"mindspore": np.int32, "torch": np.int64}


@dataclass
class Style:
    name: str
    args: tuple
    kwargs: dict


def call_styles(api: ApiRef, given: dict) -> list[Style]:
    """Positional (up to the last argument given), keyword, shuffled keywords, defaults omitted."""
    params = [p for p in api.params if not p.var_keyword]
    positional = [p for p in params if not p.keyword_only]
    last = max((i for i, p in enumerate(positional) if p.name in given or p.required), default=-1)
    args = tuple(given.get(p.name, p.default) for p in positional[:last + 1])
    keyword_only = {p.name: given[p.name] for p in params if p.keyword_only and p.name in given}
    ordered = {p.name: given[p.name] for p in params if p.name in given}
    omitted = {k: v for k, v in ordered.items() if api.param(k).required or not same_value(v, api.param(k).default)}
    return [Style("positional", args, keyword_only), Style("keyword", (), ordered),
            Style("shuffled", (), dict(reversed(list(ordered.items())))), Style("defaults omitted", (), omitted)]


# torch builtins whose docstring names a parameter other than the keyword torch accepts; the row's
# keyword-style example runs the real call with the declared name, which proves the name
DOCSTRING_ERRATA = {"torch.broadcast_to": ("shape", "size"),
                    "torch.nn.functional.one_hot": ("tensor", "input")}   # 2.13 takes input=, rejects tensor=
# C builtins torch 2.13 ships without a docstring: their signature as measured (torch.relu(input=x) works, a second
# positional argument raises TypeError)
UNDOCUMENTED = {"torch.relu": [inspect.Parameter("input", inspect.Parameter.POSITIONAL_OR_KEYWORD)]}


def real_signature(api: ApiRef) -> list[inspect.Parameter]:
    """The real parameters of ``api``: ``inspect`` where it can, else the overload of the
    builtin's docstring whose names are the declared ones (torch's C functions)."""
    obj = resolve(api.name)
    try:
        return real_params(obj)
    except ValueError:   # a C builtin: no inspect signature
        if api.name in UNDOCUMENTED:
            return UNDOCUMENTED[api.name]
        overloads = documented_overloads(obj)
        wrong, right = DOCSTRING_ERRATA.get(api.name, (None, None))
        overloads = [[p.replace(name=right) if p.name == wrong else p for p in o] for o in overloads]
        # torch.abs's docstring types out= without its default (abs(input, *, out: Optional[Tensor])); every
        # torch function's out= is optional (torch.abs(x) works)
        overloads = [[p.replace(default=None) if p.name == "out" and p.default is p.empty else p for p in o]
                     for o in overloads]
        declared = [p.name for p in api.params]
        return next((o for o in overloads if [p.name for p in o] == declared), overloads[0] if overloads else [])


def _bind(params: list[inspect.Parameter], args: tuple, kwargs: dict) -> dict:
    """Python's binding rules over a parameter list that may not form a valid Signature
    (torch's ``arange(start=0, end, step=1)``); TypeError as Python raises."""
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(args) > len(positional):
        raise TypeError(f"takes {len(positional)} positional arguments but {len(args)} were given")
    bound = {p.name: a for p, a in zip(positional, args)}
    for key, value in kwargs.items():
        param = next((p for p in params if p.name == key), None)
        if param is None or param.kind == param.POSITIONAL_ONLY or key in bound:
            raise TypeError(f"unexpected or repeated argument {key!r}")
        bound[key] = value
    for p in params:
        if p.name not in bound:
            if p.default is inspect.Parameter.empty:
                raise TypeError(f"missing a required argument: {p.name!r}")
            bound[p.name] = p.default
    return {p.name: bound[p.name] for p in params}


def real_binding(name: str, style: Style, api: ApiRef | None = None) -> dict:
    """What the real API receives for this call, defaults applied (TypeError if it cannot bind)."""
    params = real_signature(api) if api is not None else real_params(resolve(name))
    try:
        signature = inspect.Signature(params)
    except ValueError:   # a documented builtin's list that is no valid Python signature
        return _bind(params, style.args, style.kwargs)
    bound = signature.bind(*style.args, **style.kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


def make_inputs(example: Example, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for spec in example.inputs:
        if spec.kind == "normal":
            out.append(rng.standard_normal(spec.shape).astype(np.float32))
        elif spec.kind == "uniform":
            out.append(rng.uniform(0.05, 0.95, spec.shape).astype(np.float32))
        elif spec.kind == "unit":  # in (0, 1) and differentiable: a probability a loss takes as its input
            out.append(rng.uniform(0.05, 0.95, spec.shape).astype(np.float32))
        elif spec.kind == "signs":  # +1/-1 targets (ranking and embedding losses)
            out.append(np.where(rng.uniform(size=spec.shape) < 0.5, -1.0, 1.0).astype(np.float32))
        elif spec.kind == "positive":
            out.append(rng.uniform(0.5, 2.0, spec.shape).astype(np.float32))
        elif spec.kind == "probabilities":
            x = rng.uniform(0.1, 1.0, spec.shape)
            out.append((x / x.sum(axis=-1, keepdims=True)).astype(np.float32))
        elif spec.kind == "labels":
            out.append(rng.integers(0, spec.classes, spec.shape).astype(np.int64))
        elif spec.kind == "onehot":
            labels = rng.integers(0, spec.classes, spec.shape)
            out.append(np.eye(spec.classes, dtype=np.float32)[labels])
        elif spec.kind == "mask":
            mask = rng.uniform(size=spec.shape) < 0.35
            mask[..., 0] = False   # a fully masked row is NaN (softmax of nothing) on both sides
            out.append(mask)
    return out


def pack(values: list, specs) -> list:
    """The call's arguments: consecutive inputs of one ``group`` become one tuple (LSTM's (h0, c0))."""
    args, group = [], None
    for value, spec in zip(values, specs):
        if spec.group and spec.group == group:
            args[-1] = (*args[-1], value)
        else:
            args.append((value,) if spec.group else value)
        group = spec.group or None
    return args


def _differentiable(spec: InputSpec) -> bool:
    return spec.kind in ("normal", "positive", "unit")


def _cotangent(shape) -> np.ndarray:
    """A fixed, non-constant weighting of the outputs: a plain sum would hide a permuted output."""
    n = int(np.prod(shape)) if shape else 1
    return (np.sin(np.arange(n, dtype=np.float64) * 0.7) + 1.5).astype(np.float32).reshape(shape)


@dataclass
class Pass:
    """What one forward/backward pass produced, as numpy arrays."""
    outputs: list
    input_grads: list
    param_grads: dict = field(default_factory=dict)   # by the framework's own parameter name
    state: dict = field(default_factory=dict)         # every parameter and buffer after the pass


def state_of(framework: str, obj) -> dict:
    if not isinstance(obj, (mindspore.nn.Cell, torch.nn.Module)):   # a function holds no state
        return {}
    if framework == "mindspore":
        return {name: p.asnumpy().copy() for name, p in obj.parameters_and_names()}
    return {name: t.detach().numpy().copy() for name, t in obj.state_dict().items()}


def _entry_names(entry: ParamEntry, source: str, name: str) -> str | None:
    """The target name of source parameter ``name`` if ``entry`` maps it (a ``*`` stands for the same text)."""
    pattern, other = getattr(entry, source), getattr(entry, OTHER[source])
    if pattern is None or not fnmatch.fnmatchcase(name, pattern):
        return None
    if "*" not in pattern:
        return other or ""
    head, tail = pattern.split("*", 1)
    return other.replace("*", name[len(head):len(name) - len(tail)] if tail else name[len(head):], 1)


def _row_of(framework: str, obj) -> ApiRow | None:
    """The row with a parameter map for ``obj``'s class (or the nearest base class a row names)."""
    from msbridge.tables import load_tables

    tables = load_tables()
    for cls in type(obj).__mro__:
        api = f"{framework}.nn.{cls.__name__}"
        rows = [r for r in tables.rows_for(api) if r.side(framework).name == api and r.params]
        if rows:
            return rows[0]
    return None


def _children(framework: str, obj) -> dict:
    if framework == "mindspore":
        return dict(obj.cells_and_names()) if isinstance(obj, mindspore.nn.Cell) else {}
    return dict(obj.named_modules()) if isinstance(obj, torch.nn.Module) else {}


def name_map(row: ApiRow, source: str, obj) -> dict[str, tuple[str | None, ParamEntry | None]]:
    """source parameter/buffer name -> (target name, map entry), for every one ``obj`` has.

    The row's ``params`` name the layer's own leaves; a parameter of a child layer (MultiheadAttention's
    ``out_proj``, a Dense/Linear) maps through the child's own row, at the same attribute path.
    A name nothing maps gets (None, None)."""
    children = _children(source, obj)
    out = {}
    for name in state_of(source, obj):
        prefix, _, leaf = name.rpartition(".")
        layer_row = row if not prefix else _row_of(source, children.get(prefix))
        found = (None, None)
        for entry in (layer_row.params if layer_row else ()):
            target = _entry_names(entry, source, leaf)
            if target is not None:
                found = ((f"{prefix}.{target}" if prefix else target) if target else None, entry)
                break
        out[name] = found
    return out


def copy_params(row: ApiRow, source: str, src_obj, dst_obj) -> list[str]:
    """Copy every mapped tensor from ``src_obj`` to ``dst_obj``; return the source names copied."""
    target = OTHER[source]
    values = state_of(source, src_obj)
    present = state_of(target, dst_obj)
    copied = []
    for src_name, (dst_name, pair) in name_map(row, source, src_obj).items():
        if dst_name is None:
            continue
        assert dst_name in present, f"{dst_name} (maps {src_name}) is not a parameter of the {target} layer"
        value = values[src_name]
        if pair.mindspore_extra_axis is not None:
            axis = pair.mindspore_extra_axis
            value = np.squeeze(value, axis) if source == "mindspore" else np.expand_dims(value, axis)
        if target == "mindspore":
            param = dict(dst_obj.parameters_and_names())[dst_name]
            assert param.shape == value.shape, (dst_name, param.shape, value.shape)
            param.set_data(mindspore.Tensor(value))
        else:
            tensor = dst_obj.state_dict()[dst_name]
            assert tuple(tensor.shape) == value.shape, (dst_name, tuple(tensor.shape), value.shape)
            with torch.no_grad():
                tensor.copy_(torch.from_numpy(value))
        copied.append(src_name)
    return copied


def _outputs(result) -> list:
    """Every tensor a call returned, nested tuples flattened ((output, (hn, cn))), Nones left out."""
    if isinstance(result, (tuple, list)):
        return [t for item in result for t in _outputs(item)]
    return [] if result is None else [result]


def run_torch(layer, arrays, specs, train: bool) -> Pass:
    if isinstance(layer, torch.nn.Module):
        layer.train(train)
        layer.zero_grad(set_to_none=True)   # torch accumulates .grad across passes
        params = dict(layer.named_parameters())
    else:
        params = {}
    tensors = []
    for array, spec in zip(arrays, specs):
        t = torch.from_numpy(array.astype(LABEL_DTYPES["torch"]) if spec.kind == "labels" else array.copy())
        tensors.append(t.requires_grad_(_differentiable(spec)))
    outs = _outputs(layer(*pack(tensors, specs)))
    floats = [o for o in outs if o.is_floating_point()]
    loss = sum((o * torch.from_numpy(_cotangent(tuple(o.shape)))).sum() for o in floats)
    if isinstance(loss, torch.Tensor) and loss.requires_grad:   # a creation op or an integer result has none
        loss.backward()
    # an output that does not depend on an input (ones_like) leaves its .grad None: a zero gradient
    input_grads = [t.grad.numpy().copy() if t.grad is not None else np.zeros(tuple(t.shape), np.float32)
                   for t, s in zip(tensors, specs) if _differentiable(s)]
    param_grads = {n: p.grad.numpy().copy() for n, p in params.items() if p.grad is not None}
    state = state_of("torch", layer) if isinstance(layer, torch.nn.Module) else {}
    return Pass([o.detach().numpy().copy() for o in outs], input_grads, param_grads, state)


_KEPT_ALIVE: list = []


def run_mindspore(layer, arrays, specs, train: bool) -> Pass:
    is_cell = isinstance(layer, mindspore.nn.Cell)
    if is_cell:
        layer.set_train(train)
    params = layer.trainable_params() if is_cell else []
    names = {id(p): n for n, p in layer.parameters_and_names()} if is_cell else {}
    tensors = [mindspore.Tensor(a.astype(LABEL_DTYPES["mindspore"]) if s.kind == "labels" else a)
               for a, s in zip(arrays, specs)]
    positions = tuple(i for i, s in enumerate(specs) if _differentiable(s))

    def forward(*xs):   # flat: MindSpore differentiates no tensor inside a tuple argument (measured)
        outs = _outputs(layer(*pack(list(xs), specs)))
        floats = [o for o in outs if mindspore.ops.is_floating_point(o)]
        loss = sum((o * mindspore.Tensor(_cotangent(tuple(o.shape)))).sum() for o in floats)
        return loss, tuple(outs)

    if not positions and not params:   # nothing to differentiate (a creation op, integer inputs)
        outs = _outputs(layer(*tensors))
        return Pass([o.asnumpy().copy() for o in outs], [], {}, {})
    if not is_cell:
        outs = _outputs(layer(*pack(list(tensors), specs)))
        if not any(mindspore.ops.is_floating_point(o) for o in outs):   # an integer result (argmax): no gradient,
            return Pass([o.asnumpy().copy() for o in outs],            # zeros as torch's side reports it
                        [np.zeros(tuple(tensors[i].shape), np.float32) for i in positions], {}, {})
    # MindSpore's PyNative grad cache is keyed by the function's id and the inputs' shapes and dtypes: a new
    # `forward` allocated where a collected one lived, with inputs shaped alike, reused the old graph (seen once:
    # BCEWithLogitsLoss input gradients scaled by 4/9, all elements, depending on what the worker ran before).
    # Keeping every `forward` alive keeps the ids unique.
    _KEPT_ALIVE.append(forward)
    # ... and an id freed by another test's function (not kept alive) met one of ours once more in a full run
    # (BCEWithLogitsLoss again, 2026-12-02): the executor's forward cache is cleared before each differentiation
    _pynative_executor.clear_res()
    grad_fn = mindspore.value_and_grad(forward, grad_position=positions or None,
                                       weights=params or None, has_aux=True)
    (_, outs), grads = grad_fn(*tensors)
    if positions and params:
        input_grads, weight_grads = grads
    elif positions:
        input_grads, weight_grads = grads, ()
    else:
        input_grads, weight_grads = (), grads
    input_grads = _outputs(input_grads) if positions else []
    param_grads = {names[id(p)]: g.asnumpy().copy() for p, g in zip(params, _outputs(weight_grads))}
    state = state_of("mindspore", layer) if is_cell else {}
    return Pass([o.asnumpy().copy() for o in outs], [g.asnumpy().copy() for g in input_grads], param_grads, state)


RUNNERS = {"mindspore": run_mindspore, "torch": run_torch}


def _materialise(name: str, value):
    """An example's ``{tensor = [...]}`` argument (a loss's class weights) as the framework's float32 tensor."""
    if isinstance(value, dict) and set(value) == {"tensor"}:
        array = np.asarray(value["tensor"], dtype=np.float32)
        return mindspore.Tensor(array) if name.startswith("mindspore") else torch.from_numpy(array)
    if isinstance(value, dict) and set(value) == {"dtype"}:   # ``{dtype = "float16"}``: the framework's dtype
        return getattr(mindspore if name.startswith("mindspore") else torch, value["dtype"])
    return value


INPUT_REF = "@"   # an example argument written "@0" is the example's first input tensor (function rows)


def _fill(value, tensors):
    if isinstance(value, (list, tuple)):
        return type(value)(_fill(v, tensors) for v in value)
    if isinstance(value, str) and value.startswith(INPUT_REF) and value[1:].isdigit():
        return tensors[int(value[1:])]
    return value


def build(name: str, style: Style):
    """A layer built from the call, or, for a function, the call itself as a function of the
    example's input tensors (its arguments name them "@0", "@1", ...)."""
    api = resolve(name)
    args = tuple(_materialise(name, v) for v in style.args)
    kwargs = {k: _materialise(name, v) for k, v in style.kwargs.items()}
    if not inspect.isclass(api):
        return lambda *tensors: api(*_fill(args, tensors), **{k: _fill(v, tensors) for k, v in kwargs.items()})
    return api(*args, **kwargs)


def seed_both(seed: int = 0) -> None:
    torch.manual_seed(seed)
    mindspore.set_seed(seed)


def assert_close(row: ApiRow, ours, reference, what: str) -> None:
    ours, reference = np.asarray(ours), np.asarray(reference)
    assert ours.shape == reference.shape, f"{what}: shape {ours.shape} vs {reference.shape}"
    if row.exactness == "bit-exact":
        np.testing.assert_array_equal(ours, reference, err_msg=what)
        return
    scale = float(np.abs(reference).max()) if reference.size else 0.0
    # float32 rounding of a sum is relative to the size of its terms, not of a result near 0
    np.testing.assert_allclose(ours, reference, rtol=row.rtol, atol=row.rtol * scale, err_msg=what)


def map_name(names: dict, name: str) -> tuple[str | None, int | None]:
    """(target name, MindSpore's extra axis) of ``name`` in a ``name_map``."""
    other, pair = names.get(name, (None, None))
    return (other, pair.mindspore_extra_axis) if pair else (None, None)


def to_source_layout(value: np.ndarray, axis: int | None, source: str) -> np.ndarray:
    """A target tensor in the source's layout (undo the extra MindSpore axis or add it)."""
    if axis is None:
        return value
    return np.expand_dims(value, axis) if source == "mindspore" else np.squeeze(value, axis)


def unmapped(row: ApiRow, framework: str, obj, given=()) -> set[str]:
    """Parameters/buffers of ``obj`` that neither the row's parameter map nor a child's row names. A buffer
    that only holds a constructor argument in ``given`` (torch keeps a loss's ``weight=`` as one) is that
    argument."""
    if not hasattr(obj, "parameters_and_names" if framework == "mindspore" else "state_dict"):
        return set()
    return {name for name, (_, pair) in name_map(row, framework, obj).items() if pair is None} - set(given)


def signature_mismatches(api: ApiRef) -> list[str]:
    """Declared parameters that differ from the real signature (a framework dtype default is
    declared as None: TOML cannot spell it)."""
    real = real_signature(api)
    if not api.params:   # torch.nn.Sigmoid inherits Module.__init__(*args, **kwargs): no arguments of its own
        real = [p for p in real if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    problems = []
    if [p.name for p in api.params] != [p.name for p in real]:
        return [f"names: table {[p.name for p in api.params]} real {[p.name for p in real]}"]
    for declared, actual in zip(api.params, real):
        if declared.var_keyword:
            continue
        if actual.default is inspect.Parameter.empty:
            if declared.default is not Param.REQUIRED:
                problems.append(f"{declared.name}: required in reality")
        elif declared.default is None and not isinstance(actual.default, (int, float, str, tuple, bool)):
            continue  # e.g. dtype=mindspore.float32
        elif isinstance(actual.default, str) and actual.default.startswith("torch."):
            continue  # a documented non-literal default (layout=torch.strided): declared as None
        elif not (same_value(declared.default, actual.default) or declared.default == actual.default):
            problems.append(f"{declared.name}: table {declared.default!r}, real {actual.default!r}")
    return problems


def translations(row: ApiRow, example: Example) -> tuple[list[Style], list[dict], list]:
    """The four styles, what the real source API binds each to, and each one's translation."""
    source = example.source
    api = row.side(source)
    # TOML has no tuples; the frameworks' layers want (3, 2), not [3, 2]
    given = {k: tuple(v) if isinstance(v, list) else v for k, v in example.kwargs.items()}
    styles = call_styles(api, given)
    bindings = [real_binding(api.name, s, api) for s in styles]
    direction = f"to_{OTHER[source]}"
    results = [translate(row, direction, s.args, s.kwargs) for s in styles]
    return styles, bindings, results
