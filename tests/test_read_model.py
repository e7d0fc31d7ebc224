"""pipeline/read/model.py: parse_date, file_info, unit_code and the properties of
WorkbookSubmission (sent date, sample flag)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from pipeline.read.model import (
    FileInfo,
    NotRegular,
    WorkbookSubmission,
    file_info,
    open_regular,
    parse_date,
    unit_code,
)

from .conftest import returns_within

# sha256 of b"abc" and of the empty string (FIPS 180-2 examples and the well-known empty hash).
SHA_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
SHA_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


# --- parse_date ------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("20/03/2020", dt.date(2020, 3, 20)),
    ("20.03.2020", dt.date(2020, 3, 20)),
    ("20-03-2020", dt.date(2020, 3, 20)),
    ("1/2/2020", dt.date(2020, 2, 1)),  # one-digit day and month
    ("  05/11/2019 ", dt.date(2019, 11, 5)),  # spaces around
    ("29/02/2020", dt.date(2020, 2, 29)),  # a leap day
])
def test_parse_date_reads_day_month_year(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [
    "31/02/2020",  # no such day
    "29/02/2019",  # not a leap year
    "20/13/2020",  # no 13th month
    "00/03/2020",  # day 0
    "2020-03-20",  # ISO order is not the form's
    "20/03/20",  # two-digit year
    "20 03 2020",  # spaces are not separators
    "ngày 20/03/2020",  # words around
    "",
])
def test_parse_date_gives_none_for_anything_else(text):
    assert parse_date(text) is None


def test_parse_date_of_none_is_none():
    assert parse_date(None) is None  # type: ignore[arg-type]  # an empty metadata cell


# --- file_info -------------------------------------------------------------------------------
def test_file_info_hashes_reads_size_and_time(tmp_path):
    path = tmp_path / "KHTC_bieu.xlsx"
    path.write_bytes(b"abc")
    when = dt.datetime(2020, 3, 20, 8, 30, 15)
    os.utime(path, (when.timestamp() + 0.7, when.timestamp() + 0.7))

    info = file_info(path)

    assert info == FileInfo(path=path, name="KHTC_bieu.xlsx", sha256=SHA_ABC, size=3,
                            modified=dt.datetime(2020, 3, 20, 8, 30, 15))


def test_file_info_with_data_given_hashes_the_data_not_the_file(tmp_path):
    path = tmp_path / "a.docx"
    path.write_bytes(b"something else on disk")

    info = file_info(path, data=b"")

    assert info.sha256 == SHA_EMPTY
    assert info.size == 0
    assert info.name == "a.docx"


def test_file_info_of_an_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")

    assert (file_info(path).sha256, file_info(path).size) == (SHA_EMPTY, 0)


def test_file_info_of_a_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        file_info(tmp_path / "missing.xlsx")


# --- unit_code -------------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "expected"), [
    ("KHTC", "KHTC"),
    ("khtc ", "KHTC"),
    ("K HTC", "KHTC"),
    ("\tqlcn\n", "QLCN"),
    ("Qlcng", "QLCNG"),
    ("KH\u00a0TC", "KHTC"),  # a non-breaking space typed in Excel
    ("", ""),
    ("   ", ""),
])
def test_unit_code_ignores_case_and_spaces(typed, expected):
    assert unit_code(typed) == expected


# --- WorkbookSubmission ----------------------------------------------------------------------
def _submission(meta: dict[str, str], modified: dt.datetime) -> WorkbookSubmission:
    info = FileInfo(Path("KHTC.xlsx"), "KHTC.xlsx", SHA_ABC, 3, modified)
    return WorkbookSubmission(file=info, unit="KHTC", meta=meta, sheets=(), rows=(), cells=())


def test_sent_is_the_date_typed_in_the_metadata():
    sub = _submission({"ngay_gui": "18/03/2020"}, dt.datetime(2020, 3, 25, 9, 0))
    assert sub.sent == dt.date(2020, 3, 18)


@pytest.mark.parametrize("typed", ["", "18/3", "hôm qua", "31/04/2020"])
def test_sent_falls_back_to_the_file_date(typed):
    sub = _submission({"ngay_gui": typed}, dt.datetime(2020, 3, 25, 9, 0))
    assert sub.sent == dt.date(2020, 3, 25)


def test_sent_without_the_key_is_the_file_date():
    assert _submission({}, dt.datetime(2020, 1, 2, 3, 4)).sent == dt.date(2020, 1, 2)


@pytest.mark.parametrize(("typed", "expected"), [
    ("Có", True), ("có", True), (" co ", True), ("Yes", True),
    ("Không", False), ("", False), ("x", False),
])
def test_is_sample_from_the_metadata_flag(typed, expected):
    sub = _submission({"du_lieu_mau": typed}, dt.datetime(2020, 3, 25))
    assert sub.is_sample is expected


def test_a_fifo_is_refused_when_opened_never_waited_on(tmp_path):
    import stat

    fifo = tmp_path / "KHTC.xlsx"
    os.mkfifo(fifo)  # a plain open() would wait for a writer forever
    with returns_within(30), pytest.raises(NotRegular) as caught:
        file_info(fifo)
    assert stat.S_ISFIFO(caught.value.mode)
    with returns_within(30), pytest.raises(NotRegular), open_regular(fifo):
        pass


def test_file_info_names_a_file_that_is_not_utf8_escaped(tmp_path):
    path = tmp_path / os.fsdecode(b"KHTC_b\xe1o.xlsx")
    path.write_bytes(b"abc")
    info = file_info(path)
    assert info.name == "KHTC_b\\xe1o.xlsx" and info.path == path
    assert (info.size, info.sha256[:8]) == (3, "ba7816bf")  # sha256("abc")
