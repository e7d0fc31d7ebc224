"""The Decree 30/2020 pieces of the office's documents (office/form.py), read back with
python-docx: the number line, a report's title with the short rule under it, "Kính gửi", the
closing mark, "Nơi nhận" and the signature from the catalogue, tables sized to their texts (a
wide one on a landscape page with its heading), working days for new deadlines."""

from __future__ import annotations

import datetime as dt

from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from pipeline.catalogue.model import Signature
from pipeline.core.word import new_document
from pipeline.office import form


def test_working_days_skip_weekends_and_holidays():
    friday = dt.date(2020, 3, 20)
    assert form.working_days_after(friday, 1) == dt.date(2020, 3, 23)
    assert form.working_days_after(friday, 3) == dt.date(2020, 3, 25)
    monday = dt.date(2020, 3, 30)
    assert form.working_days_after(monday, 3) == dt.date(2020, 4, 2)
    assert form.working_days_after(monday, 3, [dt.date(2020, 4, 2)]) == dt.date(2020, 4, 3)
    assert form.working_days_after(dt.date(2020, 3, 21), 1) == dt.date(2020, 3, 23)  # a Saturday


def test_page_one_and_the_title_of_a_report(cat):
    doc = new_document()
    form.heading(doc, cat, "BC-KHCN", dt.date(2020, 3, 5), "V/v thử")
    form.title(doc, "BÁO CÁO", ["Dòng một", "dòng hai"])
    left, right = (c.text for c in doc.tables[0].rows[0].cells)
    assert left.split("\n")[-2:] == ["Số:\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/BC-KHCN",
                                     "V/v thử"]
    assert right.split("\n")[-1] == "Bắc Giang, ngày 05 tháng 3 năm 2020"
    kind, one, two, rule = doc.paragraphs
    assert [kind.text, one.text, two.text, rule.text] == ["BÁO CÁO", "Dòng một", "dòng hai", ""]
    assert all(p.runs[0].bold for p in (kind, one, two))
    assert rule._p.find(qn("w:pPr")).find(qn("w:pBdr")).find(qn("w:top")) is not None


def test_addressee_and_closing_mark():
    doc = new_document()
    form.addressee(doc, "Thanh tra Sở")
    form.close(form.para(doc, "Đề nghị đơn vị gửi lại."))
    form.close(form.dash(doc, "Báo cáo tháng sau"))
    assert [p.text for p in doc.paragraphs] == ["Kính gửi: Thanh tra Sở.",
                                                "Đề nghị đơn vị gửi lại./.",
                                                "- Báo cáo tháng sau./."]


def test_nơi_nhận_and_the_signature_from_the_catalogue(cat):
    doc = new_document()
    assert form.signature_of(cat) == cat.document.signature
    form.signature_block(doc, ["Như trên;", "Lưu: VT, KHTC."],
                         Signature(authority="KT. GIÁM ĐỐC", title="PHÓ GIÁM ĐỐC",
                                   name="Nguyễn Văn A"))
    left, right = (c.text.split("\n") for c in doc.tables[0].rows[0].cells)
    assert left == ["Nơi nhận:", "- Như trên;", "- Lưu: VT, KHTC."]
    assert right == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "", "", "", "Nguyễn Văn A"]
    doc = new_document()
    form.signature_block(doc, ["Lưu: VT."], Signature(title="GIÁM ĐỐC"))
    assert doc.tables[0].rows[0].cells[1].text.split("\n") == ["GIÁM ĐỐC", "", "", "", ""]


def test_a_catalogue_without_a_document_block_is_signed_for_the_director(cat):
    assert form.signature_of(cat.model_copy(update={"document": None})) == Signature(
        authority="KT. GIÁM ĐỐC", title="PHÓ GIÁM ĐỐC")


def test_a_narrow_table_stays_in_the_page_and_a_wide_one_turns_with_its_heading():
    doc = new_document()
    heads = ["Đơn vị", "Ngày gửi", "Tình trạng"]
    rows = [["P. KHTC", "12/03/2020", "Đã nộp, trễ 2 ngày"]]
    fitted = form.fit(heads, rows)
    with form.page_for(doc, fitted):
        form.table(doc, heads, rows, ["left", "center", "left"], fitted)
    assert not fitted.landscape and len(doc.sections) == 1
    widths = [c.width.cm for c in doc.tables[0].columns]
    assert widths[1] >= 2.4  # "12/03/2020" on one line, with the cell's margins

    doc = new_document()
    heads = [f"Cột số {k}" for k in range(14)]
    rows = [[f"{k:02d}/03/2020" for k in range(1, 15)]]
    fitted = form.fit(heads, rows)
    with form.page_for(doc, fitted):
        form.section(doc, "2. Bảng rộng")
        form.table(doc, heads, rows, ["center"] * 14, fitted)
    form.para(doc, "Sau bảng.")
    assert fitted.landscape
    orient = [s.orientation for s in doc.sections]
    assert orient == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    # the heading is in the landscape section, with its table
    body = doc.element.body
    blocks = list(body.iterchildren())
    heading = next(i for i, b in enumerate(blocks) if "2. Bảng rộng" in "".join(b.itertext()))
    first_break = next(i for i, b in enumerate(blocks) if b.find(f".//{qn('w:sectPr')}")
                       is not None)
    assert first_break < heading
