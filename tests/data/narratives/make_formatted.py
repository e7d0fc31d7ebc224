#!/usr/bin/python3
"""Regenerate the LibreOffice-written formatted narrative in tests/data/narratives/.

Run from the repository root with the SYSTEM python (it needs python3-uno):

    /usr/bin/python3 tests/data/narratives/make_formatted.py [--out FOLDER]

(`--out`: write the file there instead of next to this script; tests/test_render_narrative.py
uses it to check that a fresh run reads as the committed file does.)

Needs: LibreOffice (`soffice` on PATH), python3-uno, and the project venv (`.venv/bin/khcn`)
for the blank KHTC narrative form. It reuses the headless-soffice driver of
tests/data/office/make_fixtures.py (private profile, free port, process group ended at the
end) and the helpers of tests/data/narratives/make_narratives.py, and writes

  khtc_formatted.docx  the KHTC form filled under heading "I.1." (after its hint) the way a
                       unit formats its text: bold, italic, underline and superscript words,
                       a bulleted list (with a second-level item), a numbered list, a small
                       table, a PNG picture with a description, text typed with changes
                       recorded (a word deleted and another inserted), and a comment.

exactly as listed in README.md next to this file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "tests" / "data" / "office"))
sys.path.insert(0, str(HERE))  # make_narratives.py, beside this script

from make_fixtures import KHCN, Office, prop, tiny_png  # noqa: E402  (put on sys.path above)
from make_narratives import end_of, find, write_paragraphs  # noqa: E402

UNIT = "KHTC"
NAME = "khtc_formatted.docx"

# --- the text written (tests assert on it, README.md lists it) ---------------------------
P_FORMAT = ("Giai đoạn 2011-2019, chi cho KH&CN tăng đều, bình quân 11,2%/năm, cao hơn mức "
            "chung của cả nước.")
BOLD, ITALIC, UNDERLINE = "tăng đều", "bình quân 11,2%/năm", "cao hơn mức chung"
P_SUPER = "Diện tích phòng thí nghiệm đạt 1.200 m2."
SUPER_AT = "m2"  # its "2" is raised
P_BULLETS = "Chi cho KH&CN gồm:"
BULLETS = [("Chi đầu tư phát triển;", 0), ("trong đó chi mua sắm thiết bị;", 1),
           ("Chi sự nghiệp KH&CN.", 0)]  # (text, list level)
P_NUMBERS = "Các nhiệm vụ chính:"
NUMBERS = ["Tăng cường cơ sở vật chất.", "Đào tạo nguồn nhân lực."]
P_LITERAL = "Ký hiệu {{ x }}, {% if a %} và & < > được giữ nguyên."
TABLE = [["Năm", "Chi KH&CN (triệu đồng)"], ["2018", "80.000"], ["2019", "90.600"]]
P_PICTURE = "Biểu đồ chi cho KH&CN:"
PICTURE_DESCRIPTION = "Biểu đồ chi KH&CN giai đoạn 2011-2019"
PICTURE_SIZE = (20000, 10000)  # 1/100 mm: 20 cm x 10 cm, wider than the chapter's text
P_TRACKED = "Năm 2019 có 8 nhiệm vụ được nghiệm thu."
TRACKED_DELETED, TRACKED_INSERTED = "8", "9"  # "8" deleted, "9" typed, changes recorded
P_COMMENTED = "Cơ sở vật chất được đầu tư cho Trung tâm Ứng dụng KH&CN."
COMMENT = "Cần bổ sung số liệu năm 2020."

BULLET_LIST, NUMBER_LIST = "List 1", "Numbering 123"  # LibreOffice's "Bullet •", "1 2 3"


def _format(doc) -> None:
    from com.sun.star.awt.FontSlant import ITALIC as SLANT
    from com.sun.star.awt.FontUnderline import SINGLE
    from com.sun.star.awt.FontWeight import BOLD as WEIGHT

    find(doc, BOLD).CharWeight = WEIGHT
    find(doc, ITALIC).CharPosture = SLANT
    find(doc, UNDERLINE).CharUnderline = SINGLE
    raised = find(doc, SUPER_AT)
    raised.collapseToEnd()
    raised.goLeft(1, True)
    raised.CharEscapement = 33  # LibreOffice's default superscript: 33% up, 58% high
    raised.CharEscapementHeight = 58


def _lists(doc) -> None:
    for text, level in BULLETS:
        cur = find(doc, text)
        cur.NumberingStyleName = BULLET_LIST
        cur.NumberingLevel = level
    for text in NUMBERS:
        find(doc, text).NumberingStyleName = NUMBER_LIST


def _table(doc) -> None:
    from com.sun.star.awt.FontWeight import BOLD as WEIGHT

    table = doc.createInstance("com.sun.star.text.TextTable")
    table.initialize(len(TABLE), len(TABLE[0]))
    doc.Text.insertTextContent(end_of(doc, P_LITERAL), table, False)
    for r, row in enumerate(TABLE):
        for c, text in enumerate(row):
            cell = table.getCellByPosition(c, r)
            cell.setString(text)
            if r == 0:
                cur = cell.createTextCursor()
                cur.gotoEnd(True)
                cur.CharWeight = WEIGHT


def _picture(office: Office, doc, png: Path) -> None:
    from com.sun.star.awt import Size
    from com.sun.star.text.ControlCharacter import PARAGRAPH_BREAK
    from com.sun.star.text.TextContentAnchorType import AS_CHARACTER

    at = end_of(doc, P_PICTURE)
    doc.Text.insertControlCharacter(at, PARAGRAPH_BREAK, False)
    provider = office.smgr.createInstanceWithContext("com.sun.star.graphic.GraphicProvider",
                                                     office.ctx)
    obj = doc.createInstance("com.sun.star.text.TextGraphicObject")
    obj.Graphic = provider.queryGraphic((prop("URL", png.as_uri()),))
    obj.AnchorType = AS_CHARACTER
    obj.Size = Size(*PICTURE_SIZE)
    obj.Description = PICTURE_DESCRIPTION
    obj.Name = "bieu_do_chi"
    doc.Text.insertTextContent(at, obj, False)


def _tracked(doc) -> None:
    doc.RecordChanges = True
    sel = find(doc, f"{TRACKED_DELETED} nhiệm vụ được")
    sel.collapseToStart()
    sel.goRight(len(TRACKED_DELETED), True)
    sel.setString("")  # recorded as a deletion: the text stays in the file, marked deleted
    doc.Text.insertString(sel, TRACKED_INSERTED, False)
    doc.RecordChanges = False


ANNOTATION = ('<office:annotation><dc:creator>Nguyễn Văn An</dc:creator>'
              '<dc:date>2020-03-09T08:00:00</dc:date><text:p>{}</text:p></office:annotation>')


def _comment(doc, flat: Path) -> None:
    """The document stored as flat ODF with COMMENT on P_COMMENTED's words "Trung tâm…"
    written into its XML. A comment made with the UNO Annotation service makes this
    LibreOffice (7.4) crash when the file is stored, and a file with a comment does not
    load over UNO here; `soffice --convert-to` (`convert`) reads and writes it fine."""
    from xml.sax.saxutils import escape

    doc.storeToURL(flat.as_uri(), (prop("FilterName", "OpenDocument Text Flat XML"),))
    xml = flat.read_text("utf-8")
    cut = P_COMMENTED.index("Trung tâm")
    words = escape(P_COMMENTED[cut:])
    if xml.count(words) != 1:
        raise SystemExit(f"{P_COMMENTED[cut:]!r} is not once in the flat ODF")
    flat.write_text(xml.replace(words, ANNOTATION.format(escape(COMMENT)) + words), "utf-8")


def convert(flat: Path, out: Path, workdir: Path) -> None:
    """LibreOffice's own conversion of the flat ODF to .docx, with a profile of its own."""
    profile = workdir / "convert-profile"
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation="
                    f"{profile.as_uri()}", "--convert-to", "docx:MS Word 2007 XML",
                    "--outdir", str(workdir / "converted"), str(flat)],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=180)
    shutil.copyfile(workdir / "converted" / f"{flat.stem}.docx", out)
    print(f"  wrote {out} ({out.stat().st_size} bytes)")


def fill(office: Office, doc, png: Path, flat: Path) -> None:
    """The form filled, stored as flat ODF with its comment (see `_comment`)."""
    write_paragraphs(doc, [P_FORMAT, P_SUPER, P_BULLETS, *(t for t, _ in BULLETS), P_NUMBERS,
                           *NUMBERS, P_LITERAL, P_PICTURE, P_TRACKED, P_COMMENTED])
    _format(doc)
    _lists(doc)
    _table(doc)
    _picture(office, doc, png)
    _tracked(doc)
    _comment(doc, flat)


def main(argv: list[str]) -> int:
    folder = Path(argv[argv.index("--out") + 1]).resolve() if "--out" in argv else HERE
    if not KHCN.exists():
        raise SystemExit(f"{KHCN} not found: create the venv first (make test / make forms)")
    workdir = Path(tempfile.mkdtemp(prefix="khcn-narrative-fixture-"))
    try:
        forms = workdir / "forms"
        subprocess.run([str(KHCN), "forms", "--out", str(forms)], cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL)
        png, flat = workdir / "chart.png", workdir / Path(NAME).with_suffix(".fodt").name
        tiny_png(png, size=16)
        office = Office(workdir)
        try:
            office.connect(timeout=60)
            office.check_locale()
            print(f"LibreOffice {office.version()} on port {office.port}")
            doc = office.load(forms / f"{UNIT}_thuyet_minh.docx")
            try:
                fill(office, doc, png, flat)
            finally:
                doc.close(True)
        finally:
            office.close()
        convert(flat, folder / NAME, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
