"""Table-driven: every row's examples run on BOTH real frameworks, each source API called
positionally, by keyword, with shuffled keywords and with defaults omitted; the counterpart
computed from the row must agree as the row's exactness claims (bit-exact rows bit for bit)."""
import pytest

from msbridge.bridge.verify import call_styles, verify_example
from msbridge.tables import load_tables
from msbridge.tables.translate import bind, same_value

FILES = ("mapping_tables/lr_schedules.toml", "mapping_tables/lr_experimental.toml",
         "mapping_tables/optimizers.toml")
ROWS = [row for row in load_tables().rows if row.file in FILES]
CASES = [(row, i) for row in ROWS for i in range(len(row.examples))]


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_every_direction_of_every_row_has_an_example(row):
    sources = {example.source for example in row.examples}
    if "to_torch" in row.directions:
        assert "mindspore" in sources
    if "to_mindspore" in row.directions:
        assert "torch" in sources


def test_call_styles_cover_the_four_forms():
    row = load_tables().row("lr.exponential_decay_lr")
    styles = {s.name: s for s in call_styles(row.mindspore, dict(row.examples[0].args))}
    assert set(styles) == {"positional", "keyword", "shuffled", "defaults omitted"}
    assert len(styles["positional"].args) == 6 and not styles["positional"].kwargs
    assert list(styles["shuffled"].kwargs) == list(reversed(list(styles["keyword"].kwargs)))
    assert "is_stair" not in styles["defaults omitted"].kwargs


@pytest.mark.parametrize("row,index", CASES, ids=[f"{row.id}-{row.examples[i].source}{i}" for row, i in CASES])
def test_row_example_on_both_frameworks(row, index):
    outcome = verify_example(row, row.examples[index])
    # the real source framework gives bit-identical results for the four call styles (styles that bind to
    # the same arguments of the real API's signature are one call, run once: see verify.real_arguments) ...
    assert outcome.styles_agree, outcome.source_values
    # ... and the row translates them to the same counterpart call (once defaults are applied)
    target = row.torch if row.examples[index].source == "mindspore" else row.mindspore
    calls = [bind(target, (), t.kwargs)[1] for t in outcome.translations.values()]
    for call in calls:
        assert call.keys() == calls[0].keys()
        assert all(same_value(v, calls[0][k]) or callable(v) for k, v in call.items())
    if row.exactness == "impossible":
        assert outcome.max_difference > row.rtol, "an 'impossible' row must really differ"
    else:
        assert outcome.agrees, f"{row.exactness} claim broken: max relative difference {outcome.max_difference:.3g}"


def test_call_styles_that_bind_alike_on_the_real_signature_run_once():
    """Reusing a run is only for calls the real API cannot tell apart; a call that binds differently runs."""
    from msbridge.bridge.verify import CallStyle, real_arguments, verify_example

    row = load_tables().row("lr.exponential_decay_lr")
    outcome = verify_example(row, row.examples[0])
    assert set(outcome.same_call_as) == {"keyword", "shuffled", "defaults omitted"}
    assert all(outcome.source_values[s] is outcome.source_values["positional"] for s in outcome.same_call_as)
    full = real_arguments(row.mindspore, CallStyle("keyword", (), dict(row.examples[0].args)))
    other = real_arguments(row.mindspore, CallStyle("keyword", (), {**dict(row.examples[0].args), "is_stair": True}))
    assert full is not None and other is not None and full != other
    assert real_arguments(row.mindspore, CallStyle("bad", (), {"no_such": 1})) is None
