"""pipeline/validate/model.py: Validation.errors and Validation.counts on findings made by
hand, and Unread.of."""

from __future__ import annotations

import datetime as dt

from pipeline.core import findings as fnd
from pipeline.core.findings import Finding, Severity
from pipeline.validate.model import Unread, Validation


def _finding(code: str, file: str, severity: Severity) -> Finding:
    return Finding(code=code, severity=severity, file=file, message=f"{code} ({file})")


FINDINGS = (
    _finding("not_a_number", "KHTC.xlsx", Severity.ERROR),
    _finding("outlier", "KHTC.xlsx", Severity.WARNING),
    _finding("out_of_range", "KHTC.xlsx", Severity.ERROR),
    _finding("file_converted", "KHTC_tm.doc", Severity.INFO),
    _finding("header_changed", "QLKH.xlsx", Severity.WARNING),
    _finding("header_changed", "QLKH.xlsx", Severity.WARNING),
    _finding("file_pdf", "VP.pdf", Severity.ERROR),
)


def _validation(findings: tuple[Finding, ...]) -> Validation:
    return Validation(values=(), findings=findings, workbooks=(), narratives=())


def test_errors_are_the_error_findings_in_order():
    errors = _validation(FINDINGS).errors()
    assert [(f.code, f.file) for f in errors] == [
        ("not_a_number", "KHTC.xlsx"), ("out_of_range", "KHTC.xlsx"), ("file_pdf", "VP.pdf")]


def test_errors_of_no_findings_is_empty():
    assert _validation(()).errors() == []
    assert _validation((FINDINGS[1], FINDINGS[3])).errors() == []


def test_counts_errors_and_warnings_of_one_file():
    v = _validation(FINDINGS)
    assert v.counts("KHTC.xlsx") == (2, 1)
    assert v.counts("QLKH.xlsx") == (0, 2)
    assert v.counts("VP.pdf") == (1, 0)
    assert v.counts("KHTC_tm.doc") == (0, 0)  # information is neither
    assert v.counts("TTUD.xlsx") == (0, 0)  # a file with no finding


def test_defaults_of_a_validation():
    v = _validation(())
    assert (v.lists, v.unread) == ((), ())


def test_unread_of_a_finding_takes_its_reason_and_the_file_date():
    f = fnd.make("file_pdf", "KHTC_bieu.pdf", unit="KHTC")
    dates = {"KHTC_bieu.pdf": dt.date(2020, 3, 18), "other.xlsx": dt.date(2020, 3, 1)}

    u = Unread.of(f, dates)

    assert u == Unread(file="KHTC_bieu.pdf", unit="KHTC", code="file_pdf",
                       reason="Tệp PDF không đọc được số liệu. Hãy gửi tệp gốc: biểu số liệu "
                              "Excel (.xlsx) và thuyết minh Word (.docx).",
                       received=dt.date(2020, 3, 18))


def test_unread_of_a_file_without_a_date_or_unit():
    f = fnd.make("file_in_subfolder", "cu/VP.xlsx")

    u = Unread.of(f, {})

    assert (u.file, u.unit, u.code, u.received) == ("cu/VP.xlsx", "", "file_in_subfolder", None)
    assert u.reason.startswith("Tệp nằm trong thư mục con của inputs nên không được đọc.")
