"""The analysis written from the figures: for each content item, paragraphs an official can
sign, quoting the key figures in Vietnamese format with the table that shows them.

The wording is not in this module: it is in templates/phan-tich.yaml (PHRASES, beside the
chapter template), which the office edits without touching Python:

    I.1:                              # a content item's code
      - sentences:                    # a paragraph: its sentences, in order
          - text: >-                  # a Jinja2 string (sandboxed, read-only, no escaping)
              Năm {{ nam_cuoi }}, tỷ lệ chi cho KH&CN là
              {{ d("ty_le_chi_khcn", nam_cuoi) | pt }} ({{ bang("ty_le_chi_khcn") }}).
            missing: >-               # said instead when a figure it quotes is missing
              Chưa có đủ số liệu chi ngân sách cho KH&CN năm {{ nam_cuoi }} để đánh giá.
          - each: dat                 # optional: the sentence once per row of a list,
            text: Tại {{ r.noi | thuong }} cần {{ r.ha | gon }} ha ...   # the row as `r`
            missing: Chưa có dự án nào đề xuất sử dụng đất.
      - each: chi_tieu                # optional: the whole paragraph once per row
        sentences: ...

A helper that finds no figure raises MissingFigure and the sentence gives way to its
`missing` phrase (each phrase said once per item); a sentence that renders empty (a Jinja
`if` that says nothing) is left out. The helpers, filters and lists are those of `_Context`
(NAMES, FILTERS, LISTS); the file's own header lists them for the office. A phrases file that
cannot be read, is not YAML, has a Jinja syntax error, names an unknown helper or item, or
(when rendered) an unknown code, year, period or table, or calls a helper wrongly, is a
TemplateError naming the file, the item, the paragraph and the sentence, never a traceback.
The analysis is made before the chapter is written (`analyse`, from start_chapter), so a
broken phrase stops the build before any work on the document.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pipeline.catalogue.layout import row_key
from pipeline.catalogue.model import ALL_UNITS, TOTAL, Catalogue, Item
from pipeline.core import fmt
from pipeline.core.errors import TemplateError
from pipeline.derive import TOTAL_LABEL, cagr
from pipeline.merge import rows_of
from pipeline.render.figures import column_key
from pipeline.render.forecast import ForecastRow, forecast_rows
from pipeline.render.sections import (
    FORECAST_TABLE,
    LAND_TABLE,
    TARGETS_TABLE,
    SectionData,
    table_plans,
)

PHRASES = "phan-tich.yaml"
"""The phrases file's name, beside the chapter template (templates/phan-tich.yaml)."""

MAX_BYTES = 1_000_000  # the phrases are ~20 KB: a bigger file is the wrong file
FALLBACK = "Chưa có đủ số liệu để đánh giá nội dung này."
"""Said when a `missing` phrase itself quotes a figure that is missing."""


class MissingFigure(Exception):
    """A figure a sentence quotes is not there: the sentence gives way to its `missing`."""


class _PhraseError(Exception):
    """A sentence asks for something that cannot exist (an unknown code, a wrong argument):
    a fault of the phrases file, reported as TemplateError naming the sentence."""


# --- the phrases file ------------------------------------------------------------------------
@dataclass(frozen=True)
class Sentence:
    """One sentence of a paragraph, compiled."""

    where: str  # "mục I.1, đoạn 1, câu 2": for messages
    source: str  # the text as written, for messages
    text: jinja2.Template
    missing: jinja2.Template
    missing_source: str  # the missing phrase as written, for messages
    each: str | None  # a list of the context: the text is said once per row, as `r`


@dataclass(frozen=True)
class Paragraph:
    """One paragraph: its sentences, said once, or once per row of a list (`each`)."""

    sentences: tuple[Sentence, ...]
    each: str | None = None  # a list of the context: one paragraph per row, as `r`


@dataclass(frozen=True)
class Phrases:
    """The phrases file, checked and compiled."""

    name: str  # the file's name, for messages
    items: Mapping[str, tuple[Paragraph, ...]]  # item code -> its paragraphs


def _number(value: object) -> float:
    """A figure a filter formats: a missing one is MissingFigure, a text is a phrase error."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise MissingFigure
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _PhraseError(f"bộ lọc số nhận một giá trị không phải số ({value!r})")
    return float(value)


def _so(value: object, decimals: int = 0) -> str:
    return fmt.number(_number(value), decimals)


def _gon(value: object) -> str:
    """As many decimals as the figure has (up to 6): 2 -> "2", 10.3 -> "10,3"."""
    return fmt.plain(_number(value))


def _pt(value: object, decimals: int = 2) -> str:
    return fmt.percent(_number(value), decimals)


def _diem(value: object, decimals: int = 2) -> str:
    """A difference in percentage points, without its sign (the sentence says which way)."""
    return f"{fmt.number(abs(_number(value)), decimals)} điểm phần trăm"


def _dv(value: object, measure: str, decimals: int = 0) -> str:
    """A figure with its measure: "66,6%", "77 người"."""
    text = fmt.number(_number(value), decimals)
    return text + "%" if measure == "%" else f"{text} {measure}"


def _thuong(text: object) -> str:
    """The first letter in lower case: "Huyện Lục Nam" -> "huyện Lục Nam"."""
    s = str(text)
    return s[:1].lower() + s[1:]


def _liet_ke(values: object) -> str:
    """"A, B và C"."""
    items = [str(v) for v in values] if isinstance(values, list | tuple) else [str(values)]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " và " + items[-1]


FILTERS: dict[str, Callable[..., str]] = {
    "so": _so, "gon": _gon, "pt": _pt, "diem": _diem, "dv": _dv, "thuong": _thuong,
    "liet_ke": _liet_ke}


def _env() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters.update(FILTERS)
    return env


HELPERS = ("v", "d", "p", "bq", "cagr", "tang", "ty_le", "ref", "nguon", "trich_dan",
           "ky_tham_chieu", "bang", "xu_huong", "so_sanh", "tong_dat", "so_chi_tieu_dat",
           "so_chi_tieu_chua_dat", "so_chi_tieu_thieu_so_lieu")
"""The methods of _Context a sentence may call."""
NAMES = frozenset({
    *HELPERS,
    # years, periods and lists
    "nam_dau", "nam_cuoi", "ky_dau", "ky_cuoi", "nam_muc_tieu", "chi_tieu", "dat",
})
LISTS = ("chi_tieu", "dat")  # what `each:` may name


def _problem(name: str, where: str, source: str, what: str) -> TemplateError:
    head = " ".join(source.split())
    head = head[:80] + ("…" if len(head) > 80 else "")
    return TemplateError(f"Tệp câu phân tích '{name}', {where} («{head}»): {what}. Sửa câu "
                         "này trong tệp rồi chạy lại.")


def _compile(env: ImmutableSandboxedEnvironment, name: str, where: str, text: str,
             extra: frozenset[str]) -> jinja2.Template:
    try:
        unknown = meta.find_undeclared_variables(env.parse(text)) - NAMES - extra
        template = env.from_string(text)
    except jinja2.TemplateSyntaxError as e:
        raise _problem(name, where, text, f"sai cú pháp Jinja ({e.message})") from e
    if unknown:
        raise _problem(name, where, text, "không có hàm hay biến "
                       + ", ".join(f"'{u}'" for u in sorted(unknown))
                       + " (các tên dùng được: " + ", ".join(sorted(NAMES | extra)) + ")")
    return template


def _sentence(env: ImmutableSandboxedEnvironment, name: str, where: str, raw: object,
              in_each: bool) -> Sentence:
    if not isinstance(raw, dict):
        raise _problem(name, where, str(raw), "mỗi câu phải có khóa 'text' và 'missing'")
    keys = set(raw)
    if not {"text", "missing"} <= keys or keys - {"text", "missing", "each"}:
        raise _problem(name, where, str(raw.get("text", raw)),
                       "mỗi câu có đúng các khóa 'text', 'missing' và (nếu cần) 'each'; "
                       f"câu này có: {', '.join(sorted(map(str, keys)))}")
    text, missing, each = raw["text"], raw["missing"], raw.get("each")
    if not isinstance(text, str) or not isinstance(missing, str):
        raise _problem(name, where, str(text), "'text' và 'missing' phải là chuỗi chữ")
    if each is not None and each not in LISTS:
        raise _problem(name, where, text, f"'each: {each}' không phải danh sách dùng được "
                       f"({', '.join(LISTS)})")
    if each is not None and in_each:
        raise _problem(name, where, text, "đoạn đã có 'each': câu trong đoạn không có "
                       "'each' riêng")
    extra = frozenset({"r"}) if each is not None or in_each else frozenset()
    return Sentence(where, text, _compile(env, name, where, text, extra),
                    _compile(env, name, where + " (missing)", missing, extra), missing, each)


def _read_yaml(path: Path) -> object:
    name = path.name
    try:
        if path.stat().st_size > MAX_BYTES:
            raise TemplateError(f"Tệp câu phân tích '{name}' quá lớn (trên "
                                f"{fmt.megabytes(MAX_BYTES)}): có thể nhầm tệp.")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as e:
        raise TemplateError(f"Không tìm thấy tệp câu phân tích '{path}'. Tệp này phải nằm "
                            "cạnh mẫu chương (chép lại templates/phan-tich.yaml).") from e
    except (OSError, UnicodeDecodeError) as e:
        raise TemplateError(f"Không đọc được tệp câu phân tích '{path}' "
                            f"({type(e).__name__}); tệp phải là văn bản UTF-8.") from e
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" ở dòng {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or type(e).__name__
        raise TemplateError(f"Tệp câu phân tích '{name}' sai cú pháp YAML{line} ({problem}). "
                            "Kiểm tra thụt lề và dấu ':' rồi chạy lại.") from e


def load_phrases(path: Path, cat: Catalogue) -> Phrases:
    """Read, check and compile the phrases file; TemplateError names what is wrong."""
    name = path.name
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise TemplateError(f"Tệp câu phân tích '{name}' phải là một bảng: mã mục (I.1, "
                            "II.3...) và các đoạn văn của mục.")
    codes = [it.code for it in cat.items]
    env = _env()
    items: dict[str, tuple[Paragraph, ...]] = {}
    for code, paragraphs in raw.items():
        if str(code) not in codes:
            raise TemplateError(f"Tệp câu phân tích '{name}': mục '{code}' không có trong "
                                f"danh mục (các mục: {', '.join(codes)}).")
        if not isinstance(paragraphs, list):
            raise TemplateError(f"Tệp câu phân tích '{name}', mục {code}: phải là danh sách "
                                "các đoạn, mỗi đoạn bắt đầu bằng '- sentences:'.")
        out = []
        for n, para in enumerate(paragraphs, start=1):
            where = f"Tệp câu phân tích '{name}', mục {code}, đoạn {n}"
            if not (isinstance(para, dict) and isinstance(para.get("sentences"), list)
                    and set(para) <= {"sentences", "each"}):
                raise TemplateError(f"{where}: mỗi đoạn có khóa 'sentences' là danh sách các "
                                    "câu và (nếu cần) 'each'.")
            each = para.get("each")
            if each is not None and each not in LISTS:
                raise TemplateError(f"{where}: 'each: {each}' không phải danh sách dùng được "
                                    f"({', '.join(LISTS)}).")
            out.append(Paragraph(tuple(
                _sentence(env, name, f"mục {code}, đoạn {n}, câu {k}", s, each is not None)
                for k, s in enumerate(para["sentences"], start=1)), each))
        items[str(code)] = tuple(out)
    return Phrases(name, items)


# --- what the phrases are rendered with ------------------------------------------------------
class _Facts(dict[Any, Any]):
    """A row of a list (or a figure by year) given to the phrases: a value that is missing
    (None) is MissingFigure; a key that does not exist is undefined (a phrase error)."""

    def __getitem__(self, key: Any) -> Any:
        value = super().__getitem__(key)
        if value is None:
            raise MissingFigure
        return value


def _target_facts(row: ForecastRow) -> _Facts:
    t = row.status
    goals = dict(t.targets)
    return _Facts(
        ten=t.name or t.label, tham_chieu=t.reference, don_vi=t.measure,
        so_le=t.decimals, hien_trang=t.current, co_so_lieu=t.current is not None,
        nam=t.current_when, danh_gia=t.verdict,
        muc_tieu=_Facts(goals),
        xu_huong=_Facts({y: row.trend.get(y) for y, _ in t.targets}),
        can_moi_nam=_Facts(dict(row.need)),
        dat=_Facts({y: None if g is None or t.current is None else y in dict(t.reached)
                    for y, g in goals.items()}),
        ngoai_gioi_han=_Facts(row.outside), vuot=bool(row.outside),
        gioi_han=row.range_text())


class _Context:
    """The helpers of one item's sentences (NAMES), over the chapter's figures."""

    def __init__(self, data: SectionData, item: Item,
                 plans: Mapping[str, Mapping[str, str]]):
        self.data = data
        self.cat = data.cat
        self.item = item
        self.plans = plans
        self.keys = {row_key(ind.code, p.code): (ind.code, p.code)
                     for ind in self.cat.indicator_by_code.values()
                     for p in self.cat.parts_of(ind)}
        self.targets = [_target_facts(r) for r in forecast_rows(data.derivation.targets)]
        self.tabled = {column_key(c) for it in self.cat.items for t in it.tables
                       for c in t.columns}

    # --- figures ---
    def _ref(self, key: object) -> tuple[str, str | None]:
        """(row key or derived code, None) of a key written "code", "code.part" or
        "code.total"; a key the catalogue does not know is a phrase error."""
        text = str(key)
        if text in self.cat.derived_by_code:
            return text, text
        if text.endswith(f".{TOTAL}"):
            text = text[: -len(TOTAL) - 1]
        if text not in self.keys:
            raise _PhraseError(f"không có chỉ tiêu '{key}' trong danh mục (viết 'mã' hoặc "
                               "'mã.phần', ví dụ 'chi_khcn.dtpt')")
        return text, None

    def _year(self, year: object) -> int:
        years = [*self.cat.years.actual, *self.cat.years.target]
        if isinstance(year, bool) or not isinstance(year, int) or year not in years:
            raise _PhraseError(f"năm '{year}' không phải năm của chương")
        return year

    def _period(self, period: object) -> str:
        if str(period) not in self.cat.period_by_code:
            raise _PhraseError(f"không có giai đoạn '{period}' (các giai đoạn: "
                               f"{', '.join(self.cat.period_by_code)})")
        return str(period)

    def v(self, key: object, year: object) -> float:
        """The value of an indicator (or its part, or a derived indicator) in a year."""
        ref, derived = self._ref(key)
        y = self._year(year)
        if derived is not None:
            value = self.data.values.derived.get((derived, y))
        else:
            code, part = self.keys[ref]
            value = self.data.values.yearly.get((code, part, y))
        if value is None:
            raise MissingFigure
        return value

    def d(self, code: object, year: object) -> float:
        """The value of a derived indicator in a year."""
        if str(code) not in self.cat.derived_by_code:
            raise _PhraseError(f"'{code}' không phải chỉ tiêu tính toán (derived)")
        return self.v(code, year)

    def p(self, key: object, period: object) -> float:
        """The figure of a period, by the indicator's method (sum, last year, mean...)."""
        ref, _ = self._ref(key)
        value = self.data.values.periods.get((ref, self._period(period)))
        if value is None:
            raise MissingFigure
        return value

    def bq(self, key: object, period: object) -> float:
        """The mean of the yearly values over a period (every year needed)."""
        p = self.cat.period_by_code[self._period(period)]
        return math.fsum(self.v(key, y) for y in range(p.first, p.last + 1)) / (
            p.last - p.first + 1)

    def cagr(self, key: object, first: object, last: object) -> float:
        """Compound annual growth in % from one year's value to another's."""
        a, b = self.v(key, first), self.v(key, last)
        value = cagr(a, b, self._year(last) - self._year(first))
        if value is None:
            raise MissingFigure
        return value

    @staticmethod
    def tang(a: object, b: object) -> float:
        """Growth in % from `a` to `b`."""
        x, y = _number(a), _number(b)
        if x <= 0:
            raise MissingFigure
        return (y / x - 1) * 100

    @staticmethod
    def ty_le(a: object, b: object) -> float:
        """`a` as a percentage of `b`."""
        x, y = _number(a), _number(b)
        if y == 0:
            raise MissingFigure
        return x / y * 100

    def _reference(self, code: object) -> Any:
        ref = self.cat.reference_by_code.get(str(code))
        if ref is None:
            raise _PhraseError(f"không có số liệu tham chiếu '{code}' trong danh mục (các mã: "
                               f"{', '.join(self.cat.reference_by_code) or 'chưa có'})")
        return ref

    def ref(self, code: object) -> float:
        """A sourced reference figure of the catalogue (`references:`)."""
        return float(self._reference(code).value)

    def nguon(self, code: object) -> str:
        """A reference's source in words: "Tổng cục Thống kê"."""
        return str(self._reference(code).cited_as)

    def trich_dan(self, code: object) -> str:
        """A reference's full citation, with its address."""
        return str(self._reference(code).source)

    def ky_tham_chieu(self, code: object) -> str:
        """The period ("2011-2015") or year a reference is of."""
        ref = self._reference(code)
        return str(ref.period if ref.period is not None else ref.year or "")

    def bang(self, key: object) -> str:
        """"Bảng 1.1": the table of the chapter that shows a column (of this item first), or
        the targets (muc_tieu), forecast (du_bao), land (nhu_cau_dat) or a list's table.
        A column no table of the catalogue shows is a phrase error; one whose table is not
        in this chapter (its unit has not sent its workbook) is a missing figure."""
        text = str(key)
        special = {TARGETS_TABLE, FORECAST_TABLE, LAND_TABLE, *self.cat.list_by_code}
        if text not in special:
            text, _ = self._ref(text)
            if text not in self.tabled:
                raise _PhraseError(f"không có bảng nào của chương có cột '{key}'")
        for code in [self.item.code, *self.plans]:
            number = self.plans.get(code, {}).get(text)
            if number is not None:
                return number
        raise MissingFigure  # known, but no table shows it (its unit has not sent it)

    # --- words ---
    @staticmethod
    def xu_huong(a: object, b: object, nguong: object = 0) -> str:
        """"tăng", "giảm", or "gần như không đổi" (a change within `nguong`) from a to b."""
        x, y, band = _number(a), _number(b), _number(nguong)
        if abs(y - x) <= band:
            return "không đổi" if y == x else "gần như không đổi"
        return "tăng" if y > x else "giảm"

    @staticmethod
    def so_sanh(a: object, b: object, hon: str = "cao hơn", kem: str = "thấp hơn",
                ngang: str = "ngang bằng", nguong: object = 0) -> str:
        """`hon` when a is above b (beyond `nguong`), `kem` when below, else `ngang`."""
        x, y, band = _number(a), _number(b), _number(nguong)
        if abs(x - y) <= band:
            return ngang
        return hon if x > y else kem

    # --- targets and land ---
    def _count(self, year: object, reached: bool) -> int:
        y = self._year(year)
        return sum(1 for t in self.targets if dict.get(t["dat"], y) is reached)

    def so_chi_tieu_dat(self, year: object) -> int:
        """How many target rows already reach their target of a year."""
        return self._count(year, True)

    def so_chi_tieu_chua_dat(self, year: object) -> int:
        """How many target rows do not reach their target of a year yet."""
        return self._count(year, False)

    def so_chi_tieu_thieu_so_lieu(self) -> int:
        """How many target rows have no current figure or no target."""
        return sum(1 for t in self.targets
                   if dict.get(t, "hien_trang") is None
                   or all(g is None for g in dict.values(t["muc_tieu"])))

    def land_rows(self) -> list[_Facts]:
        """Each location and land type with its area (ha) and the projects asking for it."""
        land = self.data.derivation.land
        if land is None or land.empty:
            return []
        names: dict[tuple[str, str], list[str]] = {}
        for li in self.cat.lists:
            rows = self.data.lists.get(li.code)
            if li.land_demand is None or rows is None or rows.empty:
                continue
            c = li.land_demand  # a list's first column names its rows ("Tên dự án")
            for place, kind, title in rows_of(rows, c.place, c.land_type, li.columns[0].code):
                names.setdefault((str(place), str(kind)), []).append(str(title))
        out = []
        for place in land.index:
            if place == TOTAL_LABEL:
                continue
            for kind in land.columns:
                area = float(land.loc[place, kind])
                if kind == TOTAL_LABEL or pd.isna(area) or area <= 0:
                    continue
                projects = names.get((str(place), str(kind)), [])
                out.append(_Facts(noi=str(place), loai=str(kind), ha=area,
                                  du_an=_liet_ke([f"“{n}”" for n in projects])
                                  if projects else "", so_du_an=len(projects)))
        return out

    def tong_dat(self) -> float:
        """The total land asked for, in ha."""
        land = self.data.derivation.land
        if land is None or land.empty:
            raise MissingFigure
        total: Any = land.loc[TOTAL_LABEL, TOTAL_LABEL]
        return float(total)

    def names(self) -> dict[str, Any]:
        cat = self.cat
        periods = [p.code for p in cat.periods]
        helpers: dict[str, Any] = {name: getattr(self, name) for name in HELPERS}
        return {**helpers,
                "nam_dau": min(cat.years.actual), "nam_cuoi": max(cat.years.actual),
                "ky_dau": periods[0] if periods else "", "ky_cuoi": periods[-1] if periods
                else "", "nam_muc_tieu": list(cat.years.target),
                "chi_tieu": self.targets, "dat": self.land_rows()}


# --- rendering -------------------------------------------------------------------------------
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?)\]…])")
_SPACE_AFTER = re.compile(r"([(\[])\s+")


def tidy(text: str) -> str:
    """A rendered sentence as one line: spaces collapsed, none before a closing mark or
    after an opening one (the space a Jinja tag leaves before "{% endif %}:" or ".")."""
    text = " ".join(text.split())
    return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", text))


def _say(name: str, where: str, template: jinja2.Template, context: Mapping[str, Any],
         source: str) -> str:
    """A template rendered, its spaces collapsed; MissingFigure passes through, any other
    failure is a TemplateError naming the sentence."""
    try:
        return tidy(template.render(context))
    except (MissingFigure, ZeroDivisionError, OverflowError) as e:
        raise MissingFigure from e
    except _PhraseError as e:
        raise _problem(name, where, source, str(e)) from e
    except jinja2.TemplateError as e:
        raise _problem(name, where, source, f"lỗi Jinja ({e.message})") from e
    except (TypeError, ValueError, AttributeError, LookupError) as e:
        raise _problem(name, where, source, f"gọi hàm hoặc phép tính sai ({e})") from e


def _sentences(name: str, s: Sentence, names: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """(text, is the missing phrase) said for one sentence: once, or once per row."""
    rows: list[dict[str, Any]] = [dict(names)]
    if s.each is not None:
        rows = [{**names, "r": r} for r in names[s.each]]
        if not rows:
            return [(_missing(name, s, dict(names)), True)]
    out = []
    for context in rows:
        try:
            out.append((_say(name, s.where, s.text, context, s.source), False))
        except MissingFigure:
            out.append((_missing(name, s, context), True))
    return out


def _missing(name: str, s: Sentence, context: Mapping[str, Any]) -> str:
    try:
        return _say(name, s.where + " (missing)", s.missing, context, s.missing_source)
    except MissingFigure:
        return FALLBACK


def paragraphs(phrases: Phrases, data: SectionData, item: Item,
               plans: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The item's generated paragraphs (none when the phrases have no entry for it, or when
    its unit has not sent the workbook its figures come from: the section already says so).
    `plans` gives each item's table numbers (sections.table_plan)."""
    paras = phrases.items.get(item.code)
    if not paras or (item.unit != ALL_UNITS and item.indicators
                     and item.unit not in data.workbooks):
        return []
    names = _Context(data, item, plans).names()
    said_missing: set[str] = set()
    out = []
    for para in paras:
        rows = [dict(names)] if para.each is None else [
            {**names, "r": r} for r in names[para.each]]
        for context in rows:
            texts = []
            for s in para.sentences:
                for text, missing in _sentences(phrases.name, s, context):
                    if not text or (missing and text in said_missing):
                        continue
                    if missing:
                        said_missing.add(text)
                    texts.append(text)
            if texts:
                out.append(" ".join(texts))
    return out


def analyse(phrases: Phrases, data: SectionData,
            plans: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, list[str]]:
    """The generated paragraphs of every item that has some, by item code; `plans` gives
    each item's table numbers (default: sections.table_plans)."""
    plans = table_plans(data) if plans is None else plans
    out = {}
    for item in data.cat.items:
        texts = paragraphs(phrases, data, item, plans)
        if texts:
            out[item.code] = texts
    return out


def phrases_path(template: Path) -> Path:
    """Where the phrases of a chapter template are: beside it."""
    return template.with_name(PHRASES)


