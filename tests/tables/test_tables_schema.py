"""Bad table data fails at load time with an error naming file, row and field."""
import pytest

from msbridge.tables import TableError, load_tables
from msbridge.tables.loader import read_file

VALID = '''
[[row]]
id = "demo.SGD"
kind = "defaults_differ"
exactness = "float32-rounding"
rtol = 1e-5
exactness_reason = "why"
note = "a note"
mindspore = { name = "mindspore.nn.SGD", params = ["params", "learning_rate=0.1", "momentum=0.0"] }
torch = { name = "torch.optim.SGD", params = ["params", "lr=0.001", "momentum=0", "*", "foreach=None"] }
[[row.args]]
mindspore = "learning_rate"
torch = "lr"
rule = "default_differs"
[[row.args]]
mindspore = "momentum"
torch = "momentum"
rule = "transform"
to_torch = "momentum"
to_mindspore = "float(momentum)"
[[row.args]]
torch = "foreach"
rule = "torch_only"
note = "kernel choice"
'''


def load(tmp_path, text, name="demo.toml"):
    path = tmp_path / name
    path.write_text(text)
    return read_file(path, f"mapping_tables/{name}")


def bad(tmp_path, text, *fragments):
    with pytest.raises(TableError) as info:
        load(tmp_path, text)
    message = str(info.value)
    for fragment in ("mapping_tables/demo.toml", *fragments):
        assert fragment in message, message
    return message


def test_valid_row_loads_with_identity_expressions(tmp_path):
    (row,) = load(tmp_path, VALID)
    assert row.args[0].to_torch == "learning_rate" and row.args[0].to_mindspore == "lr"
    assert row.torch.param("foreach").keyword_only
    assert row.mindspore.param("params").required


def test_unknown_key(tmp_path):
    bad(tmp_path, VALID.replace('note = "a note"', 'note = "a note"\nnotes = "typo"'),
        "row 'demo.SGD'", "field 'notes'", "unknown key")


def test_unknown_key_in_argument_rule(tmp_path):
    bad(tmp_path, VALID.replace('rule = "default_differs"', 'rule = "default_differs"\nto_tourch = "x"'),
        "field 'args[0].to_tourch'")


def test_missing_field(tmp_path):
    bad(tmp_path, VALID.replace('exactness_reason = "why"\n', ""), "field 'exactness_reason'", "missing")


def test_unparsable_transform(tmp_path):
    bad(tmp_path, VALID.replace('to_mindspore = "float(momentum)"', 'to_mindspore = "float(momentum"'),
        "field 'args[1].to_mindspore'", "does not parse")


def test_forbidden_transform(tmp_path):
    bad(tmp_path, VALID.replace('to_mindspore = "float(momentum)"', 'to_mindspore = "momentum.__class__"'),
        "field 'args[1].to_mindspore'", "Attribute is not allowed")


def test_transform_reading_an_argument_the_api_lacks(tmp_path):
    bad(tmp_path, VALID.replace('to_mindspore = "float(momentum)"', 'to_mindspore = "float(momentun)"'),
        "field 'args[1].to_mindspore'", "'momentun' is not an argument of torch.optim.SGD")


def test_rule_naming_an_argument_the_api_lacks(tmp_path):
    bad(tmp_path, VALID.replace('torch = "lr"', 'torch = "learning_rate"'),
        "field 'args[0].torch'", "'learning_rate' is not a parameter of torch.optim.SGD")


def test_parameter_without_rule(tmp_path):
    bad(tmp_path, VALID.replace('"momentum=0.0"]', '"momentum=0.0", "nesterov=False"]'),
        "field 'args'", "'nesterov'", "has no rule")


def test_bad_vocabulary(tmp_path):
    bad(tmp_path, VALID.replace('exactness = "float32-rounding"', 'exactness = "exact"'), "field 'exactness'")
    bad(tmp_path, VALID.replace('rule = "default_differs"', 'rule = "renamed"'), "field 'args[0].rule'")


def test_same_rule_with_differing_defaults(tmp_path):
    bad(tmp_path, VALID.replace('rule = "default_differs"', 'rule = "rename"'),
        "field 'args[0].rule'", "defaults differ")


def test_unparsable_default(tmp_path):
    bad(tmp_path, VALID.replace('"learning_rate=0.1"', '"learning_rate=0.1)"'), "field 'mindspore.params[1]'")


def test_tolerance_required_for_inexact_rows(tmp_path):
    bad(tmp_path, VALID.replace("rtol = 1e-5\n", ""), "field 'rtol'")


def test_context_must_be_declared(tmp_path):
    text = VALID.replace('to_mindspore = "float(momentum)"', 'to_mindspore = "float(momentum) * steps_per_epoch"')
    bad(tmp_path, text, "'steps_per_epoch' is not an argument")
    (row,) = load(tmp_path, text.replace('note = "a note"', 'note = "a note"\ncontext = ["steps_per_epoch"]'))
    assert row.context == ("steps_per_epoch",)


def test_example_arguments_are_checked(tmp_path):
    bad(tmp_path, VALID + '[[row.examples]]\nsource = "mindspore"\nargs = { learning_rat = 0.1 }\n',
        "field 'examples[0].args.learning_rat'")


def test_invalid_toml_names_the_file(tmp_path):
    bad(tmp_path, VALID + "[[row]\n", "not valid TOML")


def test_duplicate_ids_across_files(tmp_path):
    (tmp_path / "a.toml").write_text(VALID)
    (tmp_path / "b.toml").write_text(VALID)
    with pytest.raises(TableError, match="duplicate id"):
        load_tables(tmp_path)


def test_shipped_tables_load():
    tables = load_tables()
    assert len(tables.rows) >= 40
    assert tables.rows_for("mindspore.nn.Momentum")[0].torch.name == "torch.optim.SGD"
    assert tables.row("lr.exponential_decay_lr").context == ("initial_lr", "steps_per_epoch", "total_steps")


def test_split_rules_must_agree_on_the_torch_expression(tmp_path):
    text = """
[[row]]
id = "demo.Adam"
kind = "transform"
exactness = "approximate"
rtol = 1e-3
exactness_reason = "why"
note = "n"
mindspore = { name = "mindspore.nn.Adam", params = ["params", "beta1=0.9", "beta2=0.999"] }
torch = { name = "torch.optim.Adam", params = ["params", "betas=(0.9, 0.999)"] }
[[row.args]]
mindspore = "beta1"
torch = "betas"
rule = "split"
to_torch = "(beta1, beta2)"
to_mindspore = "betas[0]"
[[row.args]]
mindspore = "beta2"
torch = "betas"
rule = "split"
to_torch = "(beta2, beta1)"
to_mindspore = "betas[1]"
"""
    bad(tmp_path, text, "field 'args[1].to_torch'", "built differently in args[0]")


LAYER = '''
[[row]]
id = "demo.BatchNorm1d"
category = "layer"
kind = "identical"
exactness = "bit-exact"
exactness_reason = "why"
note = "a note"
modes = ["train", "eval"]
mindspore = { name = "mindspore.nn.BatchNorm1d", params = ["num_features"] }
torch = { name = "torch.nn.BatchNorm1d", params = ["num_features"] }
params = [{ mindspore = "gamma", torch = "weight" }, { torch = "num_batches_tracked", fill = "zero_int64" }]
[[row.args]]
mindspore = "num_features"
torch = "num_features"
rule = "same"
[[row.examples]]
source = "mindspore"
args = { num_features = 3 }
inputs = [{ shape = [4, 3] }, { shape = [4], kind = "labels", classes = 3 }]
'''


def test_layer_row_fields_load(tmp_path):
    (row,) = load(tmp_path, LAYER)
    assert row.category == "layer" and row.modes == ("train", "eval")
    assert row.params[0].mindspore == "gamma" and row.params[1].mindspore is None
    assert row.examples[0].inputs[1].kind == "labels" and row.examples[0].inputs[1].classes == 3


@pytest.mark.parametrize("old,new,fragments", [
    ('category = "layer"', 'category = "gadget"', ("field 'category'", "'gadget' is not one of")),
    ('modes = ["train", "eval"]', 'modes = ["test"]', ("field 'modes[0]'",)),
    ('{ torch = "num_batches_tracked", fill = "zero_int64" }', '{ mindspore = "gamma", torch = "bias" }',
     ("field 'params'", "'gamma' appears twice")),
    ('{ torch = "num_batches_tracked", fill = "zero_int64" }', '{ }', ("field 'params[1].mindspore'", "at least one side")),
    ('{ torch = "num_batches_tracked", fill = "zero_int64" }', '{ torch = "num_batches_tracked" }',
     ("field 'params[1].fill'", "needs a fill")),
    ('{ mindspore = "gamma", torch = "weight" }', '{ mindspore = "gamma", torch = "weight", layout = "insert_axis_2" }',
     ("field 'params[0].ndim'", "needs the torch rank")),
    ('kind = "labels", classes = 3', 'kind = "labels"', ("inputs[1].classes", "positive number of classes")),
    ('inputs = [{ shape = [4, 3] }, ', 'inputs = [{ shape = [4, -3] }, ', ("inputs[0].shape",)),
    ('inputs = [{ shape = [4, 3] }, { shape = [4], kind = "labels", classes = 3 }]', 'inputs = []',
     ("examples[0].inputs", "must say what it is fed")),
], ids=["category", "mode", "mapped-twice", "empty-pair", "torch-only-without-fill", "layout-without-rank",
                 "labels-without-classes", "negative-size", "no-inputs"])
def test_layer_row_bad_fields(tmp_path, old, new, fragments):
    assert old in LAYER
    text = LAYER.replace(old, new)
    with pytest.raises(TableError) as info:
        load(tmp_path, text)
    for fragment in ("mapping_tables/demo.toml", *fragments):
        assert fragment in str(info.value), str(info.value)
