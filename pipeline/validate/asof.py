"""The inputs folder as it stood on a date: what the office had been sent by then.

A progress report made for a date must not know of a file sent after it. A file is dated by
the day it was sent: a workbook by the 'Ngày gửi' its form carries (`WorkbookSubmission.sent`,
the file's date when the form has none), a narrative and a file that could not be read by the
file's date. `as_of_view` leaves out every file dated after the day, before validation chooses
one submission per unit (validate.submissions), so that a unit that sent two versions is seen
with the one it had sent by then, and a unit whose only file came later has sent nothing yet.
An entry with no date of its own (a FIFO, a link, a file in a subfolder) stays in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TypeVar

from pipeline.read.model import Inputs, NarrativeSubmission, WorkbookSubmission

Sub = TypeVar("Sub", WorkbookSubmission, NarrativeSubmission)


@dataclass(frozen=True)
class Later:
    """A file left out of the view of a date because it was sent after it."""

    file: str  # file name (path relative to inputs/ for an entry in a subfolder)
    unit: str  # the unit code it carries (or its name points to); "" when none
    sent: dt.date  # its date sent, after the view's date: never shown in the view
    kind: str  # "workbook", "narrative" or "file" (a file that could not be read)


@dataclass(frozen=True)
class AsOf:
    """The inputs as they stood on `day`, and the files left out."""

    inputs: Inputs  # every submission, file and finding dated on or before `day`
    later: tuple[Later, ...]  # the files dated after `day`, in name order
    day: dt.date


def as_of_view(read: Inputs, day: dt.date) -> AsOf:
    """`read` as it stood on `day`: the workbooks, narratives and files not read (findings)
    dated after it are left out (`AsOf.later`); the rest is `read` unchanged. A view of a view
    is the view of the earlier day."""
    later: dict[str, Later] = {}

    def sent_by(subs: tuple[Sub, ...], kind: str) -> tuple[Sub, ...]:
        for sub in subs:
            if sub.sent > day:
                later[sub.file.name] = Later(sub.file.name, sub.unit, sub.sent, kind)
        return tuple(sub for sub in subs if sub.sent <= day)

    workbooks = sent_by(read.workbooks, "workbook")
    narratives = sent_by(read.narratives, "narrative")
    dates = {f.name: f.modified.date() for f in read.files}
    findings = []
    for f in read.findings:
        when = dates.get(f.file)
        if f.file in later:
            continue
        if when is not None and when > day:
            later.setdefault(f.file, Later(f.file, f.unit, when, "file"))
        else:
            findings.append(f)
    if not later:
        return AsOf(read, (), day)
    return AsOf(replace(read, workbooks=workbooks, narratives=narratives,
                        files=tuple(f for f in read.files if f.name not in later),
                        findings=tuple(findings),
                        checks={k: v for k, v in read.checks.items() if k not in later}),
                tuple(sorted(later.values(), key=lambda x: x.file)), day)
