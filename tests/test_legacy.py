"""Legacy Vietnamese text (TCVN3/ABC, VNI, decomposed Unicode): detection and conversion, on
the published pairs of tests/data/legacy-encodings.tsv (a copy of
../shared/data/legacy-encodings.tsv with its source column), no false positives on the
project's own Vietnamese, and the warning a unit gets for a workbook cell or a narrative.
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pipeline.catalogue.layout import FIRST_DATA_ROW, FIRST_YEAR_COL, form_rows, form_years
from pipeline.core.findings import Severity
from pipeline.core.legacy import detect, to_unicode
from pipeline.core.text import normalise
from pipeline.forms import build_narrative_form
from pipeline.read.narrative import read_narrative
from pipeline.read.workbook import read_workbook
from pipeline.tools.samples import NARRATIVES

from .conftest import write_unit_workbook

DATA = Path(__file__).parent / "data" / "legacy-encodings.tsv"
SOFT_HYPHEN = "\u00ad"  # TCVN3 'ư' (byte 0xAD); the file writes it as the six characters \u00ad


def _rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    for r in rows:
        r["legacy"] = r["legacy_bytes_or_text"].replace("\\u00ad", SOFT_HYPHEN)
    return rows


ROWS = _rows()


def test_data_file_has_both_encodings_and_a_source_for_every_row():
    assert len(ROWS) >= 24
    assert {r["encoding"] for r in ROWS} == {"TCVN3", "VNI"}
    assert all(r["source"].strip() for r in ROWS)
    assert sum(SOFT_HYPHEN in r["legacy"] for r in ROWS) >= 5  # the 'ư' rows are real
    assert not any("\\u" in r["legacy"] for r in ROWS)


@pytest.mark.parametrize("row", ROWS,
                         ids=[f"{r['encoding']}-{r['expected_unicode']}" for r in ROWS])
def test_legacy_text_converts_to_unicode(row):
    legacy, expected, encoding = row["legacy"], row["expected_unicode"], row["encoding"].lower()
    assert legacy != expected
    assert detect(legacy) == encoding

    text, kind = to_unicode(legacy)

    assert kind == encoding
    assert unicodedata.is_normalized("NFC", text)
    if "compared case-insensitively" in row["source"]:
        assert text.casefold() == expected.casefold()
    else:
        assert text == expected
    assert SOFT_HYPHEN not in text
    assert to_unicode(text) == (text, None)  # converted text is not converted again


@pytest.mark.parametrize("nfc", [
    "Tổng diện tích đã phủ kín",
    "Đề nghị hưởng trợ cấp một lần",
    "KỸ THUẬT CHIẾU SÁNG - ĐỘ NHẠY CẢM CỦA NGƯỜI",
    "Chỉ dẫn địa lý Vải thiều Lục Ngạn",
])
def test_decomposed_unicode_is_detected_and_composed(nfc):
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    assert detect(nfd) == "nfd"
    assert to_unicode(nfd) == (nfc, "nfd")
    assert detect(nfc) is None
    assert to_unicode(nfc) == (nfc, None)


def _catalogue_texts(cat) -> list[str]:
    texts = [u.name for u in cat.units]
    for it in cat.items:
        texts += [it.title, *it.subtopics]
        for ind in it.indicators:
            texts += [ind.label, ind.measure, *([ind.hint] if ind.hint else [])]
        for t in it.tables:
            texts += [t.title, *(x for x in (t.measure, t.note) if x)]
    for parts in cat.breakdowns.values():
        texts += [p.label for p in parts]
    texts += [d.label for d in cat.derived] + [r.instruction for r in cat.rules]
    texts += [cat.agency, cat.parent_agency, cat.place, cat.chapter_title, *cat.data_status]
    return texts


def test_no_false_positive_on_the_catalogue_and_sample_narratives(cat):
    texts = _catalogue_texts(cat)
    texts += [p for unit in NARRATIVES.values() for ps in unit.values() for p in ps]
    assert len(texts) > 200
    assert sum(not t.isascii() for t in texts) > 150
    assert [(t, detect(t)) for t in texts if detect(t) is not None] == []
    assert [t for t in texts if normalise(t)[1]] == []


def _note_cell(cat, unit: str, key: str) -> tuple[str, str]:
    item = next(it for it in cat.data_items_of(unit)
                if any(r.key == key for r in form_rows(cat, it)))
    r = FIRST_DATA_ROW + [row.key for row in form_rows(cat, item)].index(key)
    c = FIRST_YEAR_COL + len(form_years(cat, item)) + 1
    return item.code, f"{get_column_letter(c)}{r}"


def test_tcvn3_note_in_a_workbook_is_converted_with_a_warning(tmp_path, cat):
    legacy = f"quyÕt ®Þnh cña Bé tr{SOFT_HYPHEN}ëng Bé Tµi chÝnh"
    expected = "quyết định của Bộ trưởng Bộ Tài chính"
    path = write_unit_workbook(cat, "TTRA", tmp_path / "TTRA.xlsx")
    sheet, a1 = _note_cell(cat, "TTRA", "tt_co_so")
    wb = load_workbook(path)
    wb[sheet][a1] = legacy
    wb.save(path)

    sub = read_workbook(path)

    assert {r.indicator: r.note for r in sub.rows}["tt_co_so"] == expected
    assert [(f.code, f.sheet, f.cell) for f in sub.notes] == [("text_converted", sheet, a1)]
    f = sub.notes[0]
    assert f.severity is Severity.WARNING
    assert f.unit == "TTRA"
    assert f.value == legacy
    assert "TCVN3" in f.message
    assert expected in f.message
    assert "Unicode" in f.message and "Hãy" in f.message
    assert f"{sheet}!{a1}" in f.line()


def test_vni_paragraph_in_a_narrative_is_converted_with_a_warning(tmp_path, cat):
    legacy = "Ñoäc laäp - Töï do - Haïnh phuùc"
    expected = "Độc lập - Tự do - Hạnh phúc"
    path = tmp_path / "TTRA_tm.docx"
    build_narrative_form(cat, cat.unit_by_code["TTRA"],
                         {("I.7", 0): ["Đoạn đầu bằng Unicode.", legacy]}).save(str(path))

    sub = read_narrative(path)

    assert [(s.item, s.paragraphs) for s in sub.sections] == [
        ("I.7", ("Đoạn đầu bằng Unicode.", expected))]
    assert [(f.code, f.severity) for f in sub.notes] == [("text_converted", Severity.WARNING)]
    f = sub.notes[0]
    assert f.file == "TTRA_tm.docx"
    assert f.unit == "TTRA"
    assert f.value == legacy
    assert f.cell.startswith("đoạn ")
    assert "VNI" in f.message and expected in f.message
