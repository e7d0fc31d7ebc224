"""Render: the chapter .docx from the master template, the merged table and the derived values.

docxtpl renders templates/chapter.docx with autoescape on (text such as "R&D <2019>" stays
text). Each section's body — the owner line, the units' narratives, the indicator tables, or a
sentence where a unit has not sent its data — is a docxtpl sub-document built with python-docx
in the master's styles. The units' .docx files are never used as templates: only their text
is copied, so "{{ }}" typed by a unit stays literal.

This module is the entry (`start_chapter`, then `PendingChapter.finish`) and the template's
checks; the pieces, each given what it needs:

    values.py    figures by table column (merged values, derived values, period figures)
    analysis.py  the paragraphs written from the figures, worded by templates/phan-tich.yaml
                 (beside the template), all made and checked before any section is written
    figures.py   which charts to draw, started first; how the template shows them
    sections.py  one item's body: analysis, narratives, tables, targets, forecast, lists
                 (numbered in order)
    forecast.py  the forecast table of the targets (trend, targets, yearly change needed)
    tables.py    each kind of table with its title, unit line, source line and notes;
                 returns the appendix rows of its columns
    appendix.py  the appendix table of those rows
    charts.py    drawing the charts (matplotlib, in another process)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import jinja2
import pandas as pd
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate

from pipeline.catalogue.model import Catalogue
from pipeline.core import fields, fmt
from pipeline.core.errors import TemplateError
from pipeline.core.fields import NBSP
from pipeline.core.outputs import CHARTS
from pipeline.core.word import (
    LIST_HEADING,
    STYLE_CAPTION,
    STYLE_FIGURE,
    STYLE_MISSING,
    STYLE_NOTE,
    STYLE_POINT,
    STYLE_SOURCE_LINE,
    STYLE_TABLE_HEAD,
    STYLE_TABLE_TEXT,
    STYLE_TABLE_TITLE,
    STYLE_TOC,
    STYLE_UNIT_LINE,
    StyleIds,
    mark_sample,
    settle_sections,
    write_table,
)
from pipeline.derive import Derivation
from pipeline.read.model import NarrativeSubmission, WorkbookSubmission
from pipeline.render import charts
from pipeline.render.analysis import analyse, load_phrases, phrases_path
from pipeline.render.appendix import write_appendix
from pipeline.render.figures import Planned, plan_charts
from pipeline.render.sections import (
    Section,
    SectionData,
    heading,
    numbering,
    owner_of,
    part_label,
    part_note,
    part_numbers,
    section_numbers,
    section_tag,
    table_plans,
    write_body,
)
from pipeline.render.tables import Source, workbook_source
from pipeline.render.values import Values

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docxtpl.subdoc import Subdoc



@dataclass(frozen=True)
class ChapterData:
    """Everything render needs, from the earlier stages."""

    merged: pd.DataFrame  # merge.py's long table
    derivation: Derivation  # derive.py's figures (yearly, periods, targets)
    workbooks: tuple[WorkbookSubmission, ...]  # accepted, one per unit
    narratives: tuple[NarrativeSubmission, ...]  # accepted, one per unit
    as_of: dt.date  # the data's cut-off: the last day a workbook used was sent
    lists: dict[str, pd.DataFrame] = field(default_factory=dict)  # merge_lists' tables


def jinja_env() -> jinja2.Environment:
    """The Jinja environment of every template: autoescape on, Vietnamese number filters."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["so"] = fmt.number
    env.filters["phantram"] = fmt.percent
    env.filters["ngay"] = fmt.date
    return env


class Part(TypedDict):
    heading: str  # "PHẦN I" and the part's title on the next line
    note: str  # where the part's number differs from the seed's, say so ("" otherwise)
    sections: list[Section]


class Context(TypedDict):
    """What the chapter template is rendered with (CONTEXT_KEYS)."""

    parent_agency: str
    agency: str
    number_line: str  # "Số:      /BC-KHCN" (the number is given by the clerk)
    place: str
    date_long: str
    title: str  # the title's lines, joined by line breaks
    build_line: str
    missing_line: str
    abbreviations: Subdoc
    parts: list[Part]
    recipients: list[str]
    authority: str
    signer_title: str
    signer_name: str
    appendix: Subdoc


def _front_matter(cat: Catalogue, data: ChapterData) -> tuple[str, str]:
    """The build line (data as of, units received, sample data) and the missing-units line."""
    sent = {w.unit for w in data.workbooks} | {n.unit for n in data.narratives}
    received = [u for u in cat.units if u.code in sent]
    absent = [u for u in cat.units if u not in received]
    build_line = (f"Số liệu tính đến ngày {fmt.date(data.as_of)}; đã nhận số liệu của "
                  f"{len(received)}/{len(cat.units)} phòng, đơn vị.")
    if any(w.is_sample for w in data.workbooks):
        build_line += " Bản dựng từ DỮ LIỆU MẪU, không dùng làm báo cáo chính thức."
    missing_line = ("Chưa nhận được số liệu của: " + ", ".join(u.name for u in absent) + "."
                    if absent else "")
    return build_line, missing_line


def section_data(cat: Catalogue, data: ChapterData, values: Values,
                 analysis: Mapping[str, Sequence[str]] | None = None) -> SectionData:
    """What every section is written from."""
    return SectionData(cat, values, data.derivation, {w.unit: w for w in data.workbooks},
                       {n.unit: n for n in data.narratives}, data.lists, analysis or {})


def used_abbreviations(cat: Catalogue, texts: Sequence[str]) -> list[tuple[str, str]]:
    """The catalogue's abbreviations that appear as words in `texts`, in alphabetical
    order (Vietnamese: Đ after D)."""
    def used(short: str) -> bool:
        pattern = re.compile(rf"(?<!\w){re.escape(short)}(?!\w)")
        return any(pattern.search(t) for t in texts)

    return sorted(((k, v) for k, v in cat.abbreviations.items() if used(k)),
                  key=lambda kv: kv[0].replace("Đ", "D~"))


def _abbreviation_table(doc: WordDocument, styles: StyleIds,
                        rows: Sequence[tuple[str, str]]) -> None:
    if not rows:
        styles.para(doc, "Báo cáo không dùng chữ viết tắt.", STYLE_NOTE)
        return
    write_table(doc, styles, ["Chữ viết tắt", "Nghĩa đầy đủ"], [list(r) for r in rows],
                [4.0, 12.5], align=["left", "left"], first_is_head=False)


def _title(cat: Catalogue) -> str:
    """The title in capitals, broken where the catalogue breaks it, unbreakable where a line
    must not break (core/fields.keep_together)."""
    lines = cat.document.title_lines if cat.document and cat.document.title_lines else [
        cat.chapter_title]
    return "\n".join(fields.keep_together(line.upper(), [cat.place]) for line in lines)


CLOSING = "./."


def close(body: Subdoc) -> None:
    """End the text with the closing mark (Decree 30/2020): "./." right after the last
    sentence of the last section (its full stop the mark's first), kept on the page of the
    signature that follows; after a table, on a line of its own."""
    last = body.subdocx.element.body[-1] if len(body.subdocx.element.body) else None
    if last is not None and last.tag == qn("w:sectPr"):
        last = last.getprevious()
    if last is not None and last.tag == qn("w:p") and _texts_of(last).strip():
        paragraph = Paragraph(last, body.subdocx._body)
    else:
        paragraph = body.subdocx.add_paragraph()
        paragraph.paragraph_format.first_line_indent = 0
    # "…báo cáo UBND tỉnh./.": the sentence's own full stop is the mark's first.
    paragraph.add_run(CLOSING[1:] if _texts_of(paragraph._p).rstrip().endswith(".")
                      else CLOSING)
    paragraph.paragraph_format.keep_with_next = True


def _texts_of(el: BaseOxmlElement) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def _subdoc_texts(doc: Subdoc) -> str:
    return _texts_of(doc.subdocx.element.body)


def chapter_context(tpl: DocxTemplate, cat: Catalogue, data: ChapterData, values: Values,
                    planned: Mapping[str, Sequence[Planned]],
                    plans: Mapping[str, Mapping[str, str]],
                    analysis: Mapping[str, Sequence[str]] | None = None) -> Context:
    """What the template is rendered with: the front matter, each part's sections (each
    item's body with its generated `analysis` paragraphs, its tables and its `planned`
    charts, numbered across the part as `plans` (sections.table_plans) says; each table or
    figure the text names a cross-reference), the abbreviations used, the signature and the
    appendix of every table's sources."""
    styles = StyleIds(tpl.get_docx())  # the template's style names are checked by preflight
    inputs = section_data(cat, data, values, analysis)
    cited = {(fields.TABLE, n.removeprefix(f"{fields.TABLE} "))
             for plan in plans.values() for n in plan.values()}
    cited |= {(fields.FIGURE, p.number) for ps in planned.values() for p in ps}
    counters = numbering(cat)
    numbers = section_numbers(cat)
    parts: dict[str, Part] = {
        code: {"heading": fields.keep_together(f"{part_label(cat, code)}\n{title}", [cat.place]),
               "note": part_note(cat, code), "sections": []}
        for code, title in cat.part_titles.items() if code in part_numbers(cat)}
    sources: list[Source] = []
    texts = [cat.chapter_title, *cat.part_titles.values()]
    for item in cat.items:
        body = tpl.new_subdoc()
        sources += write_body(body, styles, inputs, item, counters[item.part], cited,
                              planned.get(item.code, ()))
        texts.append(_subdoc_texts(body))
        section: Section = {"heading": heading(item, numbers[item.code]), "body": body}
        texts.append(section["heading"])
        parts[item.part]["sections"].append(section)
    close(list(parts.values())[-1]["sections"][-1]["body"])
    appendix = tpl.new_subdoc()
    write_appendix(appendix, styles, sources)
    fields.link_citations(appendix.subdocx.element.body, cited)
    abbreviations = tpl.new_subdoc()
    _abbreviation_table(abbreviations, styles, used_abbreviations(cat, texts))
    build_line, missing_line = _front_matter(cat, data)
    form = cat.document
    return {
        "parent_agency": cat.parent_agency,
        "agency": cat.agency,
        "number_line": f"Số:{NBSP * 6}/{form.symbol}" if form else "",
        "place": cat.place,
        "date_long": fmt.long_date(cat.chapter_date),
        "title": _title(cat),
        "build_line": build_line,
        "missing_line": missing_line,
        "abbreviations": abbreviations,
        "parts": list(parts.values()),
        "recipients": list(form.recipients) if form else [],
        "authority": form.signature.authority if form else "",
        "signer_title": form.signature.title if form else "",
        "signer_name": form.signature.name if form else "",
        "appendix": appendix,
    }


CONTEXT_KEYS = ("parent_agency", "agency", "number_line", "place", "date_long", "title",
                "build_line", "missing_line", "abbreviations", "parts", "recipients",
                "authority", "signer_title", "signer_name", "appendix")
REQUIRED_STYLES = (STYLE_MISSING, STYLE_NOTE, STYLE_POINT, STYLE_SOURCE_LINE, STYLE_TABLE_HEAD,
                   STYLE_TABLE_TEXT, STYLE_TABLE_TITLE, STYLE_UNIT_LINE, STYLE_FIGURE,
                   STYLE_CAPTION, LIST_HEADING, "Table Grid")


_TAG = re.compile(r"\{%-?\s*(?:[prc]\s+)?(\w+)")
_OPENERS = {"for": "endfor", "if": "endif", "macro": "endmacro", "with": "endwith"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}


def _template_paragraphs(doc: WordDocument) -> list[str]:
    """Texts of every paragraph of the body, tables included, in reading order."""
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    return texts


def check_tags(texts: list[str], name: str) -> None:
    """Unclosed '{{' / '{%' inside a paragraph and unbalanced for/if blocks, each reported
    with the paragraph around it (Word may have split a tag across runs: the text is whole)."""
    stack: list[tuple[str, str]] = []
    for text in texts:
        if text.count("{{") != text.count("}}") or text.count("{%") != text.count("%}"):
            raise TemplateError(f"Mẫu '{name}': thẻ chưa đóng ở đoạn «{text[:120]}». Sửa để "
                                "mỗi '{{' có '}}' và mỗi '{%' có '%}' trong cùng đoạn.")
        for word in _TAG.findall(text):
            if word in _OPENERS:
                stack.append((word, text))
            elif word in _CLOSERS:
                if not stack or stack[-1][0] != _CLOSERS[word]:
                    raise TemplateError(f"Mẫu '{name}': thẻ '{word}' không có thẻ mở tương "
                                        f"ứng, ở đoạn «{text[:120]}».")
                stack.pop()
    if stack:
        word, text = stack[-1]
        raise TemplateError(f"Mẫu '{name}': thẻ '{word}' chưa được đóng "
                            f"('{_OPENERS[word]}'), mở ở đoạn «{text[:120]}».")


def preflight(tpl: DocxTemplate, name: str) -> None:
    """Before any work: tags are closed and blocks balanced, the template asks only for known
    variables, and it has the styles the section bodies use. Raises TemplateError naming the
    template and the paragraph."""
    check_tags(_template_paragraphs(tpl.get_docx()), name)
    try:
        undeclared = tpl.get_undeclared_template_variables(jinja_env(),
                                                           dict.fromkeys(CONTEXT_KEYS))
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(f"Mẫu '{name}' sai cú pháp Jinja: {e.message} (gần dòng "
                            f"{e.lineno} của XML; kiểm tra các thẻ {{% %}} bị tách hay thiếu "
                            "endfor/endif).") from e
    if undeclared:
        raise TemplateError(f"Mẫu '{name}' dùng biến không có trong dữ liệu: "
                            f"{', '.join(sorted(undeclared))}.")
    styles = {s.name for s in tpl.get_docx().styles}
    missing = [s for s in REQUIRED_STYLES if s not in styles]
    if missing:
        raise TemplateError(f"Mẫu '{name}' thiếu kiểu (style): {', '.join(missing)}. Chạy "
                            "'make template' để tạo lại mẫu.")


@dataclass(frozen=True)
class PendingChapter:
    """A chapter whose template is checked and whose charts are being drawn (in another
    process): `finish()` builds the text, waits for the charts and writes the .docx. Other
    work (the merged data, the reports) can run in between while the charts are drawn."""

    tpl: DocxTemplate  # the checked template, rendered once by finish()
    cat: Catalogue
    data: ChapterData
    values: Values  # the figures of data, by table column
    planned: dict[str, list[Planned]]  # the charts of each item, by item code, numbered
    plans: dict[str, dict[str, str]]  # each item's table numbers (sections.table_plans)
    analysis: dict[str, list[str]]  # the generated paragraphs of each item, by item code
    charts_drawn: Callable[[], None]  # waits until every planned chart is drawn
    template: Path  # the template's file, for messages
    out: Path  # the chapter to write

    def finish(self) -> Path:
        try:
            self.charts_drawn()  # the sections hold the pictures
            context = chapter_context(self.tpl, self.cat, self.data, self.values,
                                      self.planned, self.plans, self.analysis)
            if set(context) != set(CONTEXT_KEYS):  # a fault of this code, not of the inputs
                raise RuntimeError(f"chapter context keys {sorted(context)} != CONTEXT_KEYS")
            if any(w.is_sample for w in self.data.workbooks):
                # every page, the first included; before rendering, which writes the headers
                mark_sample(self.tpl.get_docx())
            self.tpl.render(context, jinja_env(), autoescape=True)
        except TemplateError:
            raise
        except jinja2.TemplateError as e:
            raise TemplateError(f"Mẫu '{self.template.name}' lỗi: {e.message}.") from e
        doc = self.tpl.docx  # the rendered document (get_docx() would reload the template)
        assert doc is not None
        settle_sections(doc)  # the master's headers go to the first of the sections
        ids = StyleIds(doc).ids
        fields.finish(doc, {kind: ids[name] for kind, name in STYLE_TOC.items() if name in ids})
        self.tpl.save(str(self.out))
        return self.out


def start_chapter(cat: Catalogue, data: ChapterData, template: Path, out: Path,
                  chart_cache: Path | None = None,
                  log: Callable[[str], None] = print,
                  phrases: Path | None = None) -> PendingChapter:
    """Open and check the template, write the analysis from the `phrases` (default:
    phan-tich.yaml beside the template), and start drawing the charts (those drawn before
    from the same data are copied from `chart_cache`; a problem with it is one line of
    `log`); TemplateError names the template or the phrase and the problem."""
    if not template.is_file():
        raise TemplateError(f"Không tìm thấy mẫu chương '{template}'. Chạy 'make template' "
                            "để tạo lại.")
    try:
        tpl = DocxTemplate(str(template))
        tpl.get_docx()  # opens the file: a damaged template fails here
    except Exception as e:  # python-docx raises several types for a damaged package
        raise TemplateError(f"Không mở được mẫu chương '{template}' ({type(e).__name__}). "
                            "Chạy 'make template' để tạo lại.") from e
    preflight(tpl, template.name)
    loaded = load_phrases(phrases or phrases_path(template), cat)
    tags = {item.code: section_tag(cat, item) for item in cat.items}
    values = Values.of(data.merged, data.derivation)
    inputs = section_data(cat, data, values)
    plans = table_plans(inputs)
    analysis = analyse(loaded, inputs, plans)
    received = {w.unit: workbook_source(owner_of(cat, w), w.sent) for w in data.workbooks}
    planned = plan_charts(cat, values, tags, received, out.parent / CHARTS, plans)
    drawn = charts.draw_all([p.chart for ps in planned.values() for p in ps], chart_cache, log)
    return PendingChapter(tpl, cat, data, values, planned, plans, analysis, drawn, template,
                          out)


def render_chapter(cat: Catalogue, data: ChapterData, template: Path, out: Path,
                   chart_cache: Path | None = None, phrases: Path | None = None) -> Path:
    """Render the chapter to `out` (start_chapter, then finish)."""
    return start_chapter(cat, data, template, out, chart_cache, phrases=phrases).finish()
