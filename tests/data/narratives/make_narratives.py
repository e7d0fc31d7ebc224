#!/usr/bin/python3
"""Regenerate the LibreOffice-written narratives in tests/data/narratives/.

Run from the repository root with the SYSTEM python (it needs python3-uno):

    /usr/bin/python3 tests/data/narratives/make_narratives.py [--out FOLDER]

(`--out`: write the files there instead of next to this script; tests/test_narrative.py
uses it to check that a fresh run reads as the committed files do.)

Needs: LibreOffice (`soffice` on PATH), python3-uno, and the project venv (`.venv/bin/khcn`)
for the blank KHTC narrative form. It reuses the headless-soffice driver of
tests/data/office/make_fixtures.py (private profile, free port, process group ended at the
end) and writes one .docx per construct a unit's Word file may hold and python-docx's
`Paragraph.text` does not give. Each file is the KHTC form with paragraphs written under
heading "I.1." (after its hint), exactly as listed in README.md next to this file:

  khtc_tracked.docx   track changes recorded: a word replaced (deletion + insertion), a
                      whole paragraph deleted, a paragraph inserted
  khtc_control.docx   a rich-text content control around words of a paragraph
  khtc_textbox.docx   a text frame (a Word text box) anchored to a paragraph
  khtc_notes.docx     a footnote and an endnote
  khtc_field.docx     a document-title field (a complex field: instruction and result)
  khtc_objects.docx   an embedded chart and an embedded spreadsheet (OLE) in two paragraphs
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "tests" / "data" / "office"))

from make_fixtures import (  # noqa: E402  (tests/data/office, put on sys.path above)
    DOCX,
    KHCN,
    Office,
    find_hint_after_heading,
    new_paragraph_after,
    prop,
)

UNIT = "KHTC"

# --- the text written (tests assert on it, README.md lists it) ---------------------------
TRACKED_P1 = "Năm 2019, chi cho KH&CN ước khoảng 85.000 triệu đồng."
TRACKED_DELETED = "ước khoảng 85.000"  # deleted with changes recorded
TRACKED_INSERTED = "đạt 90.600"  # inserted where it was
TRACKED_P2 = "Đoạn này bị xóa khi đang theo dõi thay đổi."  # deleted whole, mark and all
TRACKED_P3 = "Cơ sở vật chất được đầu tư cho Trung tâm Ứng dụng KH&CN."
TRACKED_P4 = "Đoạn này được thêm khi đang theo dõi thay đổi."  # inserted with changes recorded

CONTROL_BEFORE = "Đơn vị thực hiện: "
CONTROL_INSIDE = "Trung tâm Ứng dụng KH&CN"
CONTROL_AFTER = "."

TEXTBOX_P1 = "Giai đoạn 2011-2019, chi ngân sách cho KH&CN tăng đều."
TEXTBOX_TEXT = "Số liệu năm 2019 là số sơ bộ."
TEXTBOX_P2 = "Cơ sở vật chất được đầu tư cho Trung tâm Ứng dụng KH&CN."

NOTES_P1 = "Tổng chi cho KH&CN năm 2019 đạt 90.600 triệu đồng."
NOTES_FOOTNOTE = "Theo quyết toán ngân sách địa phương."
NOTES_P2 = "Chi sự nghiệp KH&CN chiếm 58% tổng chi."
NOTES_ENDNOTE = "Số liệu do Sở Tài chính cung cấp."

FIELD_TITLE = "Thuyết minh KH&CN năm 2020"  # the document's title, shown by the field
FIELD_BEFORE = "Tài liệu “"
FIELD_AFTER = "” gửi kèm biểu số liệu."

OBJECTS_P1 = "Chi cho KH&CN tăng đều qua các năm, như biểu đồ sau: "  # the chart follows
OBJECTS_P2 = "Bảng số liệu chi tiết: "  # an embedded Calc spreadsheet follows

CHART_CLSID = "12dcae26-281f-416f-a234-c3086127382e"
CALC_CLSID = "47bbb4cb-ce4c-4e80-a591-42d9ae74950f"


def store(doc, folder: Path, name: str) -> None:
    out = folder / name
    doc.storeToURL(out.as_uri(), (prop("FilterName", DOCX), prop("Overwrite", True)))
    print(f"  wrote {out} ({out.stat().st_size} bytes)")


def write_paragraphs(doc, texts: list[str]) -> None:
    """Paragraphs in the body style after the hint under "I.1."."""
    text = doc.Text
    anchor = find_hint_after_heading(doc)
    for t in texts:
        cur = new_paragraph_after(text, anchor)
        text.insertString(cur, t, False)
        cur.gotoEndOfParagraph(False)
        anchor = cur


def find(doc, words: str):
    """A text cursor over the one place `words` occur (as typed: no regular expression)."""
    search = doc.createSearchDescriptor()
    search.SearchString = words
    search.SearchCaseSensitive = True
    found = doc.findAll(search)
    if found.getCount() != 1:
        raise SystemExit(f"{words!r} found {found.getCount()} times, expected once")
    return doc.Text.createTextCursorByRange(found.getByIndex(0))


def end_of(doc, words: str):
    """A collapsed cursor at the end of the paragraph holding `words`."""
    cur = find(doc, words)
    cur.gotoEndOfParagraph(False)
    return cur


def tracked(office: Office, doc) -> None:
    from com.sun.star.text.ControlCharacter import PARAGRAPH_BREAK

    write_paragraphs(doc, [TRACKED_P1, TRACKED_P2, TRACKED_P3])
    doc.RecordChanges = True
    sel = find(doc, TRACKED_DELETED)
    sel.setString("")  # recorded as a deletion: the text stays in the file, marked deleted
    doc.Text.insertString(sel, TRACKED_INSERTED, False)
    whole = find(doc, TRACKED_P2)
    whole.collapseToStart()
    whole.gotoEndOfParagraph(True)
    whole.goRight(1, True)  # and its paragraph mark
    assert whole.getString().startswith(TRACKED_P2), whole.getString()
    whole.setString("")
    end = end_of(doc, TRACKED_P3)
    doc.Text.insertControlCharacter(end, PARAGRAPH_BREAK, False)
    doc.Text.insertString(end, TRACKED_P4, False)
    doc.RecordChanges = False


def control(office: Office, doc) -> None:
    write_paragraphs(doc, [CONTROL_BEFORE + CONTROL_INSIDE + CONTROL_AFTER])
    cc = doc.createInstance("com.sun.star.text.ContentControl")
    doc.Text.insertTextContent(find(doc, CONTROL_INSIDE), cc, True)  # the words go inside


def textbox(office: Office, doc) -> None:
    from com.sun.star.awt import Size
    from com.sun.star.text.TextContentAnchorType import AT_PARAGRAPH

    write_paragraphs(doc, [TEXTBOX_P1, TEXTBOX_P2])
    frame = doc.createInstance("com.sun.star.text.TextFrame")
    frame.AnchorType = AT_PARAGRAPH
    frame.Size = Size(8000, 1500)
    doc.Text.insertTextContent(end_of(doc, TEXTBOX_P1), frame, False)
    frame.Text.setString(TEXTBOX_TEXT)


def notes(office: Office, doc) -> None:
    write_paragraphs(doc, [NOTES_P1, NOTES_P2])
    for words, service, body in ((NOTES_P1, "Footnote", NOTES_FOOTNOTE),
                                 (NOTES_P2, "Endnote", NOTES_ENDNOTE)):
        note = doc.createInstance(f"com.sun.star.text.{service}")
        doc.Text.insertTextContent(end_of(doc, words), note, False)
        note.setString(body)


def field(office: Office, doc) -> None:
    doc.DocumentProperties.Title = FIELD_TITLE
    write_paragraphs(doc, [FIELD_BEFORE + FIELD_AFTER])
    at = find(doc, FIELD_BEFORE)
    at.collapseToEnd()
    title = doc.createInstance("com.sun.star.text.textfield.docinfo.Title")
    doc.Text.insertTextContent(at, title, False)
    doc.getTextFields().refresh()


def embedded(doc, words: str, clsid: str) -> None:
    from com.sun.star.awt import Size
    from com.sun.star.text.TextContentAnchorType import AS_CHARACTER

    obj = doc.createInstance("com.sun.star.text.TextEmbeddedObject")
    obj.CLSID = clsid
    obj.AnchorType = AS_CHARACTER
    doc.Text.insertTextContent(end_of(doc, words), obj, False)
    obj.Size = Size(6000, 4000)


def objects(office: Office, doc) -> None:
    write_paragraphs(doc, [OBJECTS_P1, OBJECTS_P2])
    embedded(doc, OBJECTS_P1, CHART_CLSID)
    embedded(doc, OBJECTS_P2, CALC_CLSID)


VARIANTS = [
    ("khtc_tracked.docx", tracked),
    ("khtc_control.docx", control),
    ("khtc_textbox.docx", textbox),
    ("khtc_notes.docx", notes),
    ("khtc_field.docx", field),
    ("khtc_objects.docx", objects),
]


def main(argv: list[str]) -> int:
    folder = Path(argv[argv.index("--out") + 1]).resolve() if "--out" in argv else HERE
    if not KHCN.exists():
        raise SystemExit(f"{KHCN} not found: create the venv first (make test / make forms)")
    workdir = Path(tempfile.mkdtemp(prefix="khcn-narrative-fixtures-"))
    try:
        forms = workdir / "forms"
        subprocess.run([str(KHCN), "forms", "--out", str(forms)], cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL)
        blank = forms / f"{UNIT}_thuyet_minh.docx"
        office = Office(workdir)
        try:
            office.connect(timeout=60)
            office.check_locale()
            print(f"LibreOffice {office.version()} on port {office.port}")
            for name, fill in VARIANTS:
                doc = office.load(blank)
                try:
                    fill(office, doc)
                    store(doc, folder, name)
                finally:
                    doc.close(True)
        finally:
            office.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
