"""Every file of ../shared/corpus (odd and crafted files from the test suites of Apache POI and
calamine, listed in INDEX.tsv) through the reader, each beside a good unit workbook.

None of them is one of our forms, so each must end as a clear finding (a Vietnamese message
from findings.MESSAGES), never an exception, a hang or a memory blow-up, and never at the cost
of the good workbook. Codes observed (python-calamine 0.9.1):

- encrypted OOXML in an OLE container (pass_protected, 60320-protected, protect,
  protected_passtika, protected_sha512, password.xlsx, bug53475-password-is-pass.docx)
  -> file_encrypted
- BIFF .xls are read (calamine values, xlrd formats): most -> not_a_form; password.xls and
  xor-encryption-abc.xls (BIFF's own encryption) -> file_encrypted; OOM_alloc3 and
  gh548_incorrect_sst_unique_count -> file_unreadable ("tệp .xls bị hỏng"); too_small.xls
  (no OLE container) -> file_not_office
- issue_594_dos.ods -> file_unreadable (calamine cannot parse it); issue_666_panic.xlsb
  -> file_xlsb, never parsed
- Strict OOXML (SimpleStrict, sample.strict, strict_iso_paths) -> not_a_form: calamine reads
  them, they just are not our form (test_hostile checks a Strict form reads in full)
- poc-xmlbomb, poc-xmlbomb-empty (DTD in sharedStrings.xml), ExternalEntityInText.docx (XXE)
  -> file_unreadable naming the part with the DOCTYPE
- xlmmacro.xlsm (Excel 4.0 macro sheet) -> file_macro_sheet; vba.xlsm, SimpleMacro.xlsm
  -> not_a_form (read, macro never run)
- fuzzer crashers, truncated62886.docx, bad central directories -> file_unreadable
  ("tệp nén bị hỏng"); xlsx-corrupted.xlsx -> file_unreadable (calamine XmlError)
- invalid.xlsx (no [Content_Types].xml), minimal_package.xlsx (no xl/workbook.xml)
  -> file_not_office
- 57893-many-merges (0.4 s), poc-shared-strings (1 MB string × 12,000 cells), xxe_in_schema
  (schemaLocation, no DOCTYPE) and the other odd-but-valid workbooks -> not_a_form
"""

from __future__ import annotations

import csv
import os
import re
import resource
import shutil
import time
from pathlib import Path

import pytest

from pipeline.core.findings import MESSAGES, Finding
from pipeline.read.files import read_inputs
from pipeline.tools.samples import sample_values

from .conftest import SHARED, cells_by_year, write_unit_workbook

CORPUS = Path(SHARED) / "corpus"
GOOD = "VP_good.xlsx"
GOOD_UNIT = "VP"
WALL_S = 20.0  # the reader's time limit for one hostile file (injected), not a test timer
MAX_RSS_KIB = int(1.5 * 1024 * 1024)  # ru_maxrss is in KiB on Linux
VI_LETTERS = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")

# The promises of RELIABILITY.md that a corpus file checks by name.
MUST = {
    "calamine/pass_protected.xlsx": "file_encrypted",
    "poi/60320-protected.xlsx": "file_encrypted",
    "poi/protect.xlsx": "file_encrypted",
    "poi/protected_passtika.xlsx": "file_encrypted",
    "poi/protected_sha512.xlsx": "file_encrypted",
    "python-calamine/password.xlsx": "file_encrypted",
    "poi/password.xls": "file_encrypted",
    "poi/xor-encryption-abc.xls": "file_encrypted",
    "python-calamine/password.xls": "file_encrypted",
    "calamine/issue_666_panic.xlsb": "file_xlsb",
    "poi/bug53475-password-is-pass.docx": "file_encrypted",
    "poi/poc-xmlbomb.xlsx": "file_unreadable",
    "poi/poc-xmlbomb-empty.xlsx": "file_unreadable",
    "poi/ExternalEntityInText.docx": "file_unreadable",
    "poi/xlmmacro.xlsm": "file_macro_sheet",
    "poi/SimpleStrict.xlsx": "not_a_form",
    "poi/sample.strict.xlsx": "not_a_form",
    "calamine/strict_iso_paths.xlsx": "not_a_form",
    "poi/truncated62886.docx": "file_unreadable",
}
DOCTYPE_FILES = {"poi/poc-xmlbomb.xlsx", "poi/poc-xmlbomb-empty.xlsx",
                 "poi/ExternalEntityInText.docx"}


def _rows() -> list[dict[str, str]]:
    index = CORPUS / "INDEX.tsv"
    if not index.is_file():
        return []
    with index.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


ROWS = _rows()
pytestmark = pytest.mark.skipif(not ROWS, reason=f"no corpus at {CORPUS}")


@pytest.fixture(scope="module")
def good_workbook(tmp_path_factory, cat) -> Path:
    path = tmp_path_factory.mktemp("good") / GOOD
    write_unit_workbook(cat, GOOD_UNIT, path)
    old = time.time() - 3600  # settled: read_inputs need not wait to see it is not copying
    os.utime(path, (old, old))
    return path


def test_index_lists_every_corpus_file():
    listed = {r["file"] for r in ROWS}
    present = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*")
               if p.is_file() and p.name != "INDEX.tsv"}
    assert listed == present
    assert len(listed) >= 70
    assert set(MUST) <= listed


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_corpus_file_ends_in_a_clear_finding(tmp_path, cat, good_workbook, row):
    src = CORPUS / row["file"]
    folder = tmp_path / "inputs"
    folder.mkdir()
    name = src.name
    # copy2 keeps the old modification times: no "still being copied" wait.
    shutil.copy2(good_workbook, folder / GOOD)
    shutil.copy2(src, folder / name)

    inputs = read_inputs(folder, timeout_s=WALL_S)  # a hang would be a file_timeout finding
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < MAX_RSS_KIB

    # The good workbook is read with its values.
    [good] = [w for w in inputs.workbooks if w.file.name == GOOD]
    assert good.unit == GOOD_UNIT
    got = cells_by_year(cat, good)
    expected = sample_values(cat, cat.unit_by_code[GOOD_UNIT])
    assert {k: got.get(k) for k in expected} == expected

    assert sorted(f.name for f in inputs.files) == sorted([GOOD, name])
    assert inputs.skipped == ()
    mine = [f for f in inputs.findings if f.file == name]
    subs = [s for s in (*inputs.workbooks, *inputs.narratives) if s.file.name == name]
    assert len(mine) + len(subs) == 1, (mine, subs)
    if subs:  # a submission would need our metadata sheet or unit table; say so if it happens
        pytest.fail(f"{row['file']} was read as a submission of unit '{subs[0].unit}'")
    [f] = mine
    assert isinstance(f, Finding)
    assert f.code != "file_timeout", f"{row['file']} hung the reader for {WALL_S:g} s"
    assert f.code in MESSAGES
    assert f.message.strip()
    assert VI_LETTERS.search(f.message.lower())
    assert "hãy" in f.message.lower()
    assert name in f.line()

    suffix = src.suffix.lower()
    if suffix == ".xlsb":  # never parsed
        assert f.code == "file_xlsb"
    elif suffix in (".xls", ".ods"):  # read, and none of them is our form
        assert f.code in ("not_a_form", "file_encrypted", "file_unreadable", "file_not_office")
    if row["file"] in MUST:
        assert f.code == MUST[row["file"]]
    if row["file"] in DOCTYPE_FILES:
        assert "DOCTYPE" in f.message
