"""docs/api_mapping.md and docs/api/*.md are generated from the tables and must be current."""
from msbridge.tables import load_tables
from msbridge.tables.command import DOCS_DIR
from msbridge.tables.docs import render_all, stale_files, write_docs


def test_committed_docs_are_current():
    stale = stale_files(load_tables(), DOCS_DIR)
    assert not stale, f"stale generated docs, run `msbridge tables docs`: {stale}"


def test_stale_detection(tmp_path):
    tables = load_tables()
    assert len(write_docs(tables, tmp_path)) == len(tables.rows) + 1
    assert stale_files(tables, tmp_path) == []
    index = tmp_path / "api_mapping.md"
    index.write_text(index.read_text() + "hand edit\n")
    (tmp_path / "api" / "orphan.md").write_text("no row makes me")
    (tmp_path / "api" / "optim.Adam.md").unlink()
    assert sorted(stale_files(tables, tmp_path)) == ["api/optim.Adam.md", "api/orphan.md", "api_mapping.md"]
    write_docs(tables, tmp_path)
    assert stale_files(tables, tmp_path) == [] and not (tmp_path / "api" / "orphan.md").exists()


def test_docs_say_what_a_row_says():
    tables = load_tables()
    files = render_all(tables)
    row = tables.row("lr.cosine_decay_lr")
    page = files["api/lr.cosine_decay_lr.md"]
    assert row.exactness_reason in page and row.docs_correction in page
    assert "| `decay_epoch` | `T_max` | rename |" in page
    assert "[lr.cosine_decay_lr](api/lr.cosine_decay_lr.md)" in files["api_mapping.md"]
