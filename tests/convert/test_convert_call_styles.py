"""Table-driven: every example of every natively translated row, in four call styles.

Each example call is written positionally, by keyword, with shuffled keywords and
with defaults omitted (PaConvert's lesson), converted as source text, and the
call the converter emits is read back (``ast`` + the tables' own evaluator, no
``eval``). All four must mean the same target call, and it must equal what the
tables' value-level ``msbridge.tables.translate.translate`` computes for the
same example: the source converter and the runtime bridge agree.
"""
import ast
import dataclasses

import pytest

from msbridge.bridge.verify import call_styles
from msbridge.convert import preference
from msbridge.convert.rules import labels, layer_init
from msbridge.convert.source import convert_source
from msbridge.tables import Example, load_tables
from msbridge.tables.expr import evaluate
from msbridge.tables.records import CARRIER_PARAMS
from msbridge.tables.translate import bind, same_value, translate_call

TABLES = load_tables()
# the layer rows carry no examples in the table (its generated docs list examples as checked ones,
# and those are checked here, by the converter's tests), so they are given here
LAYER_EXAMPLES = {
    "nn.Dense": [("mindspore", {"in_channels": 4, "out_channels": 3, "has_bias": False}),
                 ("torch", {"in_features": 4, "out_features": 2, "bias": False})],
    "nn.ReLU": [("mindspore", {}), ("torch", {"inplace": False})],
    "nn.Flatten": [("mindspore", {"start_dim": 0}), ("torch", {"start_dim": 1, "end_dim": 2})],
    "nn.MSELoss": [("mindspore", {"reduction": "sum"}), ("torch", {"reduction": "none"})],
    "nn.CrossEntropyLoss": [("mindspore", {"label_smoothing": 0.1, "ignore_index": 1}),
                            ("torch", {"reduction": "sum"})],
    "nn.LeakyReLU": [("mindspore", {}), ("mindspore", {"alpha": 0.3}), ("torch", {})],
    "nn.BatchNorm2d": [("mindspore", {"num_features": 3, "eps": 0.001, "momentum": 0.8}),
                       ("torch", {"num_features": 3, "momentum": 0.2})],
}
EXAMPLES = [(row, example) for row in TABLES.rows for example in row.examples] + [
    (TABLES.row(row_id), Example(source, tuple(kwargs.items())))
    for row_id, examples in LAYER_EXAMPLES.items() for source, kwargs in examples]
def _tensor_valued(example) -> bool:
    """An argument written {tensor = [...]} (a loss's class weights) is a tensor built at run time, not a literal
    the converter reads back: the row harness checks those examples (tests/layers/test_layer_rows.py)."""
    return any(isinstance(v, dict) and set(v) in ({"tensor"}, {"dtype"}) for _, v in example.args)   # or a dtype


CASES = [(row, example) for row, example in EXAMPLES
         if row.paradigm in (None, "layer") and row.torch is not None
         and row.exactness not in ("approximate", "impossible") and not _tensor_valued(example)]


def _literal(value):
    return repr(value)


def _source_call(row, source, style):
    ref = row.side(source)
    carrier = [p.name for p in ref.params if p.name in CARRIER_PARAMS]
    args = (["p"] if carrier else []) + [_literal(v) for v in style.args]
    args += [f"{k}={_literal(v)}" for k, v in style.kwargs.items()]
    return f"x = {ref.name}({', '.join(args)})\n"


def _read_back(code, target_ref, skip=()):
    # the call's own statement: a layer's initialisation may follow it (rules/layer_init.py)
    call = next(s.value for s in reversed(ast.parse(code).body)
                if isinstance(s, ast.Assign) and isinstance(s.value, ast.Call) and s.targets[0].id != "p")
    if isinstance(call.func, ast.Attribute) and call.func.attr in ("eval", "set_train") and not call.args \
            and isinstance(call.func.value, ast.Call):
        call = call.func.value   # the source framework's default mode, written after the layer (rules.default_mode)
    # or msbridge's label-casting subclass of it (rules.labels), imported by name
    # (a row whose target is msbridge's twin: imported by name too)
    subclass = target_ref.name.rsplit(".", 1)[-1] if target_ref.name.startswith("msbridge.") else \
        labels.target_name(target_ref.name, target_ref.name.split(".", 1)[0]).rsplit(".", 1)[-1]
    assert ast.unparse(call.func) in (target_ref.name, subclass), code
    args = list(call.args)
    if any(p.name in CARRIER_PARAMS for p in target_ref.params):
        # the parameters: as given, or grouped so both frameworks decay the same ones (rules.param_groups)
        assert ast.unparse(args.pop(0)) in ("p", "[{'params': p}]", "mindspore_decay_groups(net)"), code
    positional = [evaluate(ast.unparse(a)) for a in args]
    keywords = {k.arg: evaluate(ast.unparse(k.value)) for k in call.keywords if k.arg not in skip}
    return bind(target_ref, tuple(positional), keywords)[1]


@pytest.mark.parametrize("row,example", CASES, ids=[f"{r.id}-{e.source}{i}" for i, (r, e) in enumerate(CASES)])
def test_convert_call_styles_agree_with_the_tables(row, example):
    source = example.source
    target = "torch" if source == "mindspore" else "mindspore"
    # the converter, like the bridge, uses the first row (in table order) that applies to the call
    expected = translate_call(TABLES, row.side(source).name, f"to_{target}", (), example.kwargs)
    target_ref = expected.row.side(target)
    want = bind(target_ref, (), expected.kwargs)[1]
    # the parameters of a net the converter knows (its methods are renamed only on known objects)
    layer = "nn.Dense" if source == "mindspore" else "nn.Linear"
    imports = (f"import {source}\nnet = {source}.{layer}(2, 2)\n"
               f"p = net.{'trainable_params' if source == 'mindspore' else 'parameters'}()\n")
    for style in call_styles(row.side(source), example.kwargs):
        code = imports + _source_call(row, source, style)
        out, report = convert_source(code, target)
        assert {u.status for u in report.uses} == {"converted"}, (style.name, report.to_dict())
        written = ()   # torch's default initialisation, written into the MindSpore call (rules/layer_init.py)
        if target == "mindspore" and row.id in layer_init.DEFAULT_DIFFERS:
            written = (layer_init.DEFAULT_DIFFERS[row.id][0],)
            assert f"{written[0]}=mindspore.common.initializer.Normal(" in out, out
        if preference.called_otherwise(row, target):
            # the layer is msbridge's twin, which takes the source's arguments as written (preference.CALLED_OTHERWISE)
            twin = next(u.target for u in report.uses if u.api == row.side(source).name)
            assert twin.startswith("msbridge."), out
            got = _read_back(out, dataclasses.replace(row.side(source), name=twin), written)
            assert got == bind(row.side(source), (), example.kwargs)[1]
            continue
        got = _read_back(out, target_ref, written)
        assert got.keys() == want.keys()
        for name, value in want.items():
            assert same_value(got[name], value), (style.name, name, got[name], value, out)
