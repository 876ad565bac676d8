"""What the converter did, per API use, per file and in total.

Every API of the source framework that a file uses is recorded once per call
site with a status: ``converted`` (rewritten, computes the same), ``review``
(rewritten or kept, but a person must check: the line carries a
``# msbridge:`` comment), ``unsupported`` (no counterpart: left as is and
marked). The conversion rate is converted / (seen + Python files that could
not be converted): a file that did not parse or could not be read is not
counted as converted.

Exit codes (``Report.exit_code``): 0 everything converted, 1 something needs
review, 3 some files could not be processed (unreadable, undecodable,
unparsable, a link that cannot be followed), 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

CONVERTED = "converted"
REVIEW = "review"
UNSUPPORTED = "unsupported"
STATUSES = (CONVERTED, REVIEW, UNSUPPORTED)

EXIT_CONVERTED = 0
EXIT_REVIEW = 1
EXIT_FAILED = 3        # some files could not be processed (2 is the CLI's usage error)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


@dataclass(frozen=True)
class ApiUse:
    api: str
    line: int
    status: str
    target: str | None = None
    message: str = ""


@dataclass
class FileReport:
    path: str
    direction: str | None = None   # "torch" or "mindspore": the target framework
    uses: list[ApiUse] = field(default_factory=list)
    error: str | None = None        # set when the file could not be read, decoded, parsed or written
    changed: bool = False
    python: bool = True             # False: a non-Python entry of a tree (copied, or reported when it cannot be)
    notes: list[str] = field(default_factory=list)   # things a person should know (hard links broken, ...)

    def add(self, api: str, line: int, status: str, target: str | None = None, message: str = "") -> None:
        assert status in STATUSES, status
        self.uses.append(ApiUse(api, line, status, target, message))

    def count(self, status: str) -> int:
        return sum(1 for use in self.uses if use.status == status)

    @property
    def complete(self) -> bool:
        """True when nothing needs a person: parsed, and every API converted."""
        return self.error is None and all(use.status == CONVERTED for use in self.uses)

    def summary(self) -> dict:
        seen = len(self.uses) + (self.error is not None and self.python)
        converted = 0 if self.error is not None else self.count(CONVERTED)
        return {
            "seen": seen,
            "converted": converted,
            "review": self.count(REVIEW),
            "unsupported": self.count(UNSUPPORTED),
            "rate": 1.0 if seen == 0 else converted / seen,
        }

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "to": self.direction,
            "changed": self.changed,
            "error": self.error,
            "notes": list(self.notes),
            **self.summary(),
            "apis": [asdict(use) for use in self.uses],
        }


@dataclass
class Report:
    files: list[FileReport] = field(default_factory=list)
    interrupted: bool = False
    pending: int = 0                # files not reached when interrupted

    @property
    def complete(self) -> bool:
        return not self.interrupted and all(f.complete for f in self.files)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.error is not None]

    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.failed:
            return EXIT_FAILED
        return EXIT_CONVERTED if self.complete else EXIT_REVIEW

    def totals(self) -> dict:
        seen = sum(f.summary()["seen"] for f in self.files)
        converted = sum(f.summary()["converted"] for f in self.files)
        return {
            "files": len(self.files),
            "files_changed": sum(f.changed for f in self.files),
            "files_failed": len(self.failed),
            "interrupted": self.interrupted,
            "seen": seen,
            "converted": converted,
            "review": sum(f.count(REVIEW) for f in self.files),
            "unsupported": sum(f.count(UNSUPPORTED) for f in self.files),
            "rate": 1.0 if seen == 0 else converted / seen,
        }

    def to_json(self) -> str:
        return json.dumps({"totals": self.totals(), "files": [f.to_dict() for f in self.files]}, indent=2)

    def render(self) -> str:
        """The human summary: one line per file needing attention, then totals."""
        lines = []
        for f in self.files:
            lines.extend(f"{f.path}: note: {note}" for note in f.notes)
            if f.error is not None:
                lines.append(f"{f.path}: NOT CONVERTED: {f.error}")
                continue
            for use in f.uses:
                if use.status != CONVERTED:
                    lines.append(f"{f.path}:{use.line}: {use.status}: {use.api}: {use.message}")
        if self.interrupted:
            lines.append(f"interrupted: {self.pending} file(s) not reached; every file written is complete")
        t = self.totals()
        lines.append(
            f"{t['files']} file(s), {t['files_changed']} changed, {t['files_failed']} could not be converted; "
            f"APIs seen {t['seen']}, converted {t['converted']}, review {t['review']}, "
            f"unsupported {t['unsupported']}; conversion rate {t['rate']:.1%}"
        )
        return "\n".join(lines)
