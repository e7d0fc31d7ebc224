"""What validation returns: the values that passed, every finding, the submission accepted for
each unit, and the files received but not read (`Unread`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.core.findings import Finding, Severity
from pipeline.core.records import ListEntry, Value
from pipeline.read.model import (
    NarrativeSubmission,
    WorkbookSubmission,
)


@dataclass(frozen=True)
class Unread:
    """A file that was received but could not be read (or was not looked at, or was held
    back), with the unit its name points to: the status says 'received, not readable', never
    'not received'. A file held back because its unit codes disagree is listed once for each
    unit it points to (the code it carries, its name's, its sheets'), so that each of them
    hears of it."""

    file: str  # file name (path relative to inputs/ for a file in a subfolder)
    unit: str  # unit code its name points to, "" when none (held back: one it points to)
    code: str  # code of the finding that says why
    reason: str  # that finding's message
    received: dt.date | None  # its date: a file read and held back, its date sent; else
    # the file's modification date, when known
    held_back: bool = False  # read, but held back: its unit code disagrees with its name
    # or its item sheets (finding "unit_mismatch"); none of its values is used

    @staticmethod
    def of(f: Finding, dates: Mapping[str, dt.date]) -> Unread:
        """The file a finding names, with the finding's reason and the file's date."""
        return Unread(f.file, f.unit, f.code, f.message, dates.get(f.file))


@dataclass(frozen=True)
class Validation:
    values: tuple[Value, ...]  # every value that passed
    findings: tuple[Finding, ...]  # read and validation findings, in file order
    workbooks: tuple[WorkbookSubmission, ...]  # one accepted workbook per unit
    narratives: tuple[NarrativeSubmission, ...]  # one accepted narrative per unit
    lists: tuple[ListEntry, ...] = ()  # list rows without an error, in file and row order
    unread: tuple[Unread, ...] = ()  # files received and not read, one each (held back: one
    # per unit it points to)

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def counts(self, file: str) -> tuple[int, int]:
        """(errors, warnings) for one file."""
        errors = sum(1 for f in self.findings if f.file == file and f.severity is Severity.ERROR)
        warnings = sum(1 for f in self.findings
                       if f.file == file and f.severity is Severity.WARNING)
        return errors, warnings
