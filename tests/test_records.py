"""Unit tests of pipeline/core/records.py: Value's fields and their order, ListEntry, and
FileCheck.of / FileCheck.values (values kept as columns and made back into Values)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

import pytest

from pipeline.core.findings import Finding, Severity
from pipeline.core.records import VALUE_FIELDS, FileCheck, ListEntry, Value

V1 = Value("KHTC", "chi_nsdp", "total", 2011, 9000.5, "Chính thức", "Quyết toán",
           "KHTC.xlsx", "I.1", "E6", "ab12")
V2 = Value("KHTC", "chi_khcn", "dtpt", 2012, 12.0, "", "", "KHTC.xlsx", "I.1", "F7", "ab12")
ENTRY = ListEntry(list="du_an", unit="VP", number=1,
                  values={"ten": "Trung tâm dữ liệu", "dien_tich": 2.5,
                          "han": dt.date(2020, 3, 10), "ghi_chu": None},
                  file="VP.xlsx", sheet="DS dự án", row=6)
FINDING = Finding(code="outlier", severity=Severity.WARNING, file="KHTC.xlsx", message="m")


def test_value_fields_in_order():
    assert VALUE_FIELDS == ("unit", "indicator", "breakdown", "year", "value", "status", "note",
                            "file", "sheet", "cell", "file_hash")


def test_value_is_a_plain_tuple_with_named_fields():
    assert V1 == ("KHTC", "chi_nsdp", "total", 2011, 9000.5, "Chính thức", "Quyết toán",
                  "KHTC.xlsx", "I.1", "E6", "ab12")
    assert V1.cell == "E6"
    assert V1.year == 2011
    assert V1.value == 9000.5


def test_value_pickles_and_compares_equal():
    assert pickle.loads(pickle.dumps(V1)) == V1


def test_file_check_of_keeps_values_as_columns():
    check = FileCheck.of([V1, V2], [ENTRY], [FINDING])
    assert len(check.columns) == 11
    assert check.columns[0] == ("KHTC", "KHTC")
    assert check.columns[1] == ("chi_nsdp", "chi_khcn")
    assert check.columns[3] == (2011, 2012)
    assert check.columns[4] == (9000.5, 12.0)
    assert check.columns[9] == ("E6", "F7")
    assert check.entries == (ENTRY,)
    assert check.findings == (FINDING,)


def test_file_check_values_round_trip():
    check = FileCheck.of([V1, V2], [], [])
    assert check.values == (V1, V2)
    assert all(type(v) is Value for v in check.values)
    assert check.values[1].breakdown == "dtpt"


def test_file_check_of_nothing_has_eleven_empty_columns():
    check = FileCheck.of([], [], [])
    assert check.columns == ((), (), (), (), (), (), (), (), (), (), ())
    assert check.values == ()
    assert check.entries == ()
    assert check.findings == ()


def test_file_check_of_one_value():
    check = FileCheck.of([V2], [], [])
    assert check.columns[2] == ("dtpt",)
    assert check.values == (V2,)


def test_file_check_pickles():
    check = FileCheck.of([V1], [ENTRY], [FINDING])
    again = pickle.loads(pickle.dumps(check))
    assert again == check
    assert again.values == (V1,)


def test_file_check_and_list_entry_are_frozen():
    check = FileCheck.of([V1], [], [])
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.entries = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ENTRY.number = 2  # type: ignore[misc]


def test_list_entry_values_keep_their_types():
    assert ENTRY.values["dien_tich"] == 2.5
    assert ENTRY.values["han"] == dt.date(2020, 3, 10)
    assert ENTRY.values["ghi_chu"] is None
    assert (ENTRY.list, ENTRY.unit, ENTRY.number, ENTRY.row) == ("du_an", "VP", 1, 6)
