"""Load every ``mapping_tables/*.toml`` into one validated, cached ``Tables``."""
from __future__ import annotations

import functools
import sys
import tomllib
from pathlib import Path

from msbridge.tables import cache
from msbridge.tables.records import ApiRow
from msbridge.tables.schema import TableError, build_file


def _default_dir() -> Path:
    """``mapping_tables/`` of the source tree, or the copy a wheel installs under ``<prefix>/share``.

    The tables live at the top of the repository (data, not code); ``pyproject.toml``
    ships them as data files so that a non-editable install finds them too.
    """
    source_tree = Path(__file__).resolve().parents[2] / "mapping_tables"
    installed = Path(sys.prefix) / "share" / "msbridge" / "mapping_tables"
    return source_tree if source_tree.is_dir() or not installed.is_dir() else installed


DEFAULT_DIR = _default_dir()


class Tables:
    """All rows, with lookups by id and by qualified API name."""

    def __init__(self, rows: tuple[ApiRow, ...]):
        self.rows = rows
        self._by_id = {}
        for row in rows:
            if row.id in self._by_id:
                other = self._by_id[row.id]
                raise TableError(f"{row.file}: row {row.id!r}, field 'id': duplicate id (also in {other.file})")
            self._by_id[row.id] = row

    def row(self, row_id: str) -> ApiRow:
        try:
            return self._by_id[row_id]
        except KeyError:
            raise KeyError(f"no mapping row with id {row_id!r}") from None

    def rows_for(self, qualified_name: str) -> tuple[ApiRow, ...]:
        """Rows whose MindSpore or torch side is ``qualified_name``."""
        return tuple(r for r in self.rows
                     if r.mindspore.name == qualified_name or (r.torch and r.torch.name == qualified_name))

    def family(self, row: ApiRow) -> tuple[ApiRow, ...]:
        """The other rows of ``row``'s family (e.g. the three sides of the exponential row)."""
        if not row.family:
            return ()
        return tuple(r for r in self.rows if r.family == row.family and r.id != row.id)

    @property
    def api_names(self) -> tuple[str, ...]:
        names = {r.mindspore.name for r in self.rows} | {r.torch.name for r in self.rows if r.torch}
        return tuple(sorted(names))

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)


def read_file(path: Path, label: str | None = None) -> tuple[ApiRow, ...]:
    """Parse and validate one TOML file; ``label`` is the name used in error messages."""
    label = label or path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise TableError(f"{label}: not UTF-8 text (TOML must be): {exc.reason} at byte {exc.start}") from None
    except tomllib.TOMLDecodeError as exc:
        raise TableError(f"{label}: not valid TOML: {exc}") from None
    return build_file(label, data)


@functools.lru_cache(maxsize=8)
def _load(directory: str) -> Tables:
    root = Path(directory)
    files = sorted(root.glob("*.toml"))
    if not files:
        raise TableError(f"{root}: no mapping tables (*.toml) found")
    name = f"tables-{cache.key(files)}"
    rows = cache.read(name)
    if type(rows) is not tuple or not all(type(row) is ApiRow for row in rows):
        rows = []
        for path in files:
            rows.extend(read_file(path, f"{root.name}/{path.name}"))
        rows = tuple(rows)
        cache.write(name, rows)
    return Tables(rows)


def load_tables(directory: str | Path | None = None) -> Tables:
    """Load and validate every table (cached per directory); raises TableError on bad data."""
    return _load(str(Path(directory or DEFAULT_DIR).resolve()))
