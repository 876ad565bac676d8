"""The disk cache of validated tables gives back exactly the records the TOML gives, and never gets in the way."""
import os
import shutil

import pytest

from msbridge.tables import cache, loader


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MSBRIDGE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def small_tables(tmp_path):
    """Two of the real table files (parsing all of them costs 0.3 CPU-s a time)."""
    folder = tmp_path / "tables"
    folder.mkdir()
    for name in ("norm.toml", "pooling.toml"):
        shutil.copy(loader.DEFAULT_DIR / name, folder / name)
    return folder


def test_cached_records_equal_the_parsed_ones_field_for_field(cache_dir):
    parsed = loader._load.__wrapped__(str(loader.DEFAULT_DIR))      # parses every table, writes the cache
    assert len(list(cache_dir.glob("tables-*.json"))) == 1
    cached = loader._load.__wrapped__(str(loader.DEFAULT_DIR))      # reads it back
    # encode() spells out every field of every record (examples included, which == does not compare)
    assert cache.encode(cached.rows) == cache.encode(parsed.rows)
    assert cached.rows == parsed.rows and [type(r) for r in cached.rows] == [type(r) for r in parsed.rows]
    required = [p for row in cached.rows for p in row.mindspore.params if p.required]
    assert required and all(p.default is type(p).REQUIRED for p in required)   # the sentinel stays the sentinel


def test_a_changed_table_misses_the_cache(cache_dir, small_tables):
    first = loader._load.__wrapped__(str(small_tables))
    path = small_tables / "norm.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# one more line\n", encoding="utf-8")
    second = loader._load.__wrapped__(str(small_tables))
    assert second.rows == first.rows and len(list(cache_dir.glob("tables-*.json"))) == 2


def test_a_corrupt_cache_file_is_a_miss(cache_dir, small_tables):
    parsed = loader._load.__wrapped__(str(small_tables)).rows
    (written,) = cache_dir.glob("tables-*.json")
    for damage in ["not json", '["D", "ApiRow"]', '["X"]', '{"a": ["T", ["Q"]]}', '["D", "object"]']:
        written.write_text(damage)
        assert cache.read(written.stem) is None, damage
    assert loader._load.__wrapped__(str(small_tables)).rows == parsed


def test_an_unwritable_or_disabled_cache_only_means_parsing(tmp_path, small_tables, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("MSBRIDGE_CACHE_DIR", str(blocked / "cache"))
    rows = loader._load.__wrapped__(str(small_tables)).rows
    monkeypatch.setenv("MSBRIDGE_CACHE_DIR", "")
    assert cache.cache_dir() is None and cache.read("tables-x") is None
    assert loader._load.__wrapped__(str(small_tables)).rows == rows and rows
    assert sorted(os.listdir(tmp_path)) == ["file", "tables"]


def test_no_home_folder_means_no_cache_rather_than_a_relative_folder(monkeypatch):
    monkeypatch.delenv("MSBRIDGE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert cache.cache_dir() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert str(cache.cache_dir()) == "/somewhere/cache/msbridge"


def test_values_json_cannot_hold_exactly_are_not_cached():
    with pytest.raises(cache._NotCacheable):
        cache.encode({1: "a key that is not a string"})
    with pytest.raises(cache._NotCacheable):
        cache.encode(object())
    assert cache.decode(cache.encode((1, [2.5, None], {"k": (True,)}))) == (1, [2.5, None], {"k": (True,)})
