"""The catalogue's model: units, content items, indicators, lists, tables, charts, targets,
derived indicators and rules, as pydantic models checked when the catalogue is loaded
(catalogue/load.py). The catalogue is the one source of truth: forms, validation, the chapter's
tables and the progress report all come from it.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TOTAL = "total"
"""Part code of the total row of an indicator that has a breakdown and `with_total`."""

ALL_UNITS = "all"
"""`unit` of a content item that every unit writes narrative for."""

PartCode = Literal["I", "II", "IV"]
"""The parts of the chapter that content items belong to (Part III is not the S&T office's)."""

ValueType = Literal["number", "integer", "percent"]
YearSet = Literal["actual", "target", "both"]
# What an indicator's yearly value is; it decides how a period's figure is made from them.
Nature = Literal["flow", "stock", "rate", "ratio", "in_progress"]
NATURE_VI = {
    "flow": "số phát sinh trong năm",  # happens during the year: a period sums its years
    "stock": "số hiện có cuối năm",  # standing at the year's end: a period's is its last year
    "rate": "tốc độ tăng",  # a growth rate in %: a period declares mean or growth_mean
    "ratio": "tỷ lệ, cơ cấu",  # a share or a structure: a period declares mean or last
    "in_progress": "số đang thực hiện trong năm",  # running that year (tasks under way,
    # counted again each year they run): never added across years, no period figure
}
# How an indicator's figure for a period is made from its yearly values.
PeriodMethod = Literal["sum", "mean", "growth_mean", "last", "none"]
DeclaredPeriod = Literal["mean", "growth_mean", "last"]  # what `period:` may say
PERIOD_METHOD_VI = {
    "sum": "tổng các năm",
    "mean": "bình quân các năm",
    "growth_mean": "tốc độ tăng bình quân (bình quân nhân)",
    "last": "số năm cuối giai đoạn",
    "none": "không cộng qua các năm",
}
IMPLIED_PERIOD: dict[str, PeriodMethod] = {"flow": "sum", "stock": "last", "in_progress": "none"}


def nature_choices_vi() -> str:
    """The allowed natures with their Vietnamese names, for messages."""
    return "; ".join(f"{code} = {name}" for code, name in NATURE_VI.items())


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Unit(_Model):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9]*$")  # short code written in each form
    name: str  # Vietnamese name, as in the seed's assignment table
    short: str = Field(default="", max_length=20)  # short name for narrow tables ("P. KHTC");
    # "" when the name is short enough (then `label` is the name)

    @property
    def label(self) -> str:
        """The name a narrow table shows: the short name, else the name."""
        return self.short or self.name


class Part(_Model):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # key in the form and the merged table
    label: str  # Vietnamese label shown in forms and the chapter


class Indicator(_Model):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # stable key, never shown to readers
    label: str  # Vietnamese label
    measure: str  # unit of measure: triệu đồng, %, người...
    nature: Nature  # what a yearly value is (NATURE_VI); no default: every one declares it
    type: ValueType = "number"  # number, integer (counts) or percent
    min: float | None = None  # allowed range; percent defaults to 0-100, others to >= 0
    max: float | None = None
    decimals: int = Field(default=0, ge=0, le=6)  # digits shown in the chapter
    years: YearSet = "actual"  # which year columns the form asks for
    breakdown: str | None = None  # code of a list in `breakdowns`
    with_total: bool = False  # with a breakdown: also ask for the total row
    required: bool = False  # every asked cell must be filled
    cumulative: bool = False  # a running total (stock only): may not fall from year to year
    outliers: bool = True  # check year-on-year jumps (off for rates that swing by nature)
    period: DeclaredPeriod | None = None  # period figure of a rate or ratio (required there)
    hint: str | None = None  # Vietnamese hint shown in the form

    @model_validator(mode="after")
    def _period_follows_nature(self) -> Indicator:
        nature = f"nature: {self.nature} ({NATURE_VI[self.nature]})"
        implied = IMPLIED_PERIOD.get(self.nature)
        if implied is None and self.period is None:
            raise ValueError(f"chỉ tiêu {nature} cần khóa 'period' (mean | growth_mean | last)"
                             ": số của giai đoạn là bình quân các năm (mean), tốc độ tăng "
                             "bình quân (growth_mean) hay số năm cuối giai đoạn (last); hãy "
                             "thêm dòng 'period:'")
        if self.nature == "ratio" and self.period == "growth_mean":
            raise ValueError(f"chỉ tiêu {nature}: 'period: growth_mean' chỉ dùng cho tốc độ "
                             "tăng (nature: rate); hãy ghi 'period: mean' hoặc 'period: last'")
        if implied is not None and self.period not in (None, implied):
            raise ValueError(f"chỉ tiêu {nature} không khai báo 'period': số của giai đoạn "
                             f"luôn là {PERIOD_METHOD_VI[implied]}; hãy xóa dòng 'period'")
        if self.cumulative and self.nature != "stock":
            raise ValueError(f"'cumulative: true' (số lũy kế, không giảm qua các năm) chỉ dùng "
                             f"với nature: stock ({NATURE_VI['stock']}), chỉ tiêu này là "
                             f"{nature}; hãy sửa 'nature' hoặc xóa dòng 'cumulative'")
        if self.type == "percent" and implied is not None:
            raise ValueError(f"'type: percent' chỉ dùng với nature: rate ({NATURE_VI['rate']}) "
                             f"hoặc ratio ({NATURE_VI['ratio']}), chỉ tiêu này là {nature}; "
                             "hãy sửa 'nature' hoặc 'type'")
        return self

    @property
    def period_method(self) -> PeriodMethod:
        """How the period figure is made: a flow sums its years, a stock takes the last, a
        task in progress has none; a rate or ratio says it in `period`."""
        implied = IMPLIED_PERIOD.get(self.nature)
        if implied is not None:
            return implied
        if self.period is None:  # only when built without validation (model_construct)
            raise ValueError(f"{self.code}: chỉ tiêu nature: {self.nature} thiếu 'period'")
        return self.period

    @property
    def low(self) -> float:
        if self.min is not None:
            return self.min
        return 0.0

    @property
    def high(self) -> float | None:
        if self.max is not None:
            return self.max
        return 100.0 if self.type == "percent" else None


class ColumnRef(_Model):
    indicator: str | None = None  # an indicator code...
    part: str | None = None  # ...and one of its parts (or `total`)
    derived: str | None = None  # or a derived code

    @model_validator(mode="after")
    def _one_source(self) -> ColumnRef:
        if (self.indicator is None) == (self.derived is None):
            raise ValueError("cần đúng một trong hai khóa 'indicator' hoặc 'derived'")
        if self.derived is not None and self.part is not None:
            raise ValueError("'part' chỉ dùng với 'indicator'")
        return self


class Table(_Model):
    title: str  # Vietnamese table title
    measure: str | None = None  # unit line above the table; defaults to the columns' units
    note: str | None = None  # Vietnamese note printed under the table
    rows: Literal["years", "periods", "both"] = "both"  # yearly rows, period rows, or both
    columns: list[ColumnRef]  # one column per indicator part or derived value


class Chart(_Model):
    """A chart of a section: its series are table-like columns, its categories years or
    periods."""

    title: str  # Vietnamese caption
    kind: Literal["line", "bar", "stacked"] = "line"
    rows: Literal["years", "periods"] = "years"
    years: list[int] = []  # with rows "years": only these (default: every actual year)
    series: list[ColumnRef]
    y_label: str = ""
    decimals: int = Field(default=1, ge=0, le=4)
    reference: float | None = None  # a horizontal line, e.g. the 2% floor
    reference_label: str = ""


class ListColumn(_Model):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # key in the form's hidden key row
    label: str  # Vietnamese column header
    type: Literal["text", "number", "integer", "choice", "date"] = "text"
    measure: str = ""  # unit of measure, shown in the header
    required: bool = False
    min: float | None = None  # numbers: default 0 (areas, money and counts are not negative)
    max: float | None = None
    choices: str | None = None  # with type "choice": a key of the catalogue's `choices`
    width: int = Field(default=16, ge=4, le=80)  # column width in the form

    @property
    def low(self) -> float:
        return 0.0 if self.min is None else self.min


class LandDemand(_Model):
    """The columns of a list input that say how much land each row asks for."""

    place: str  # code of the column naming the location (a district)
    area: str  # code of the number column holding the area, in ha
    land_type: str  # code of the column naming the type of land converted


class ListInput(_Model):
    """Rows a unit adds (projects, facilities, organisations, a work plan), not yearly values."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str  # Vietnamese title; the form's sheet is named `sheet`
    sheet: str = Field(max_length=31)
    item: str  # content item whose section shows it (see `chapter`)
    unit: str  # owning unit code, or "all"
    rows: int = Field(default=30, ge=1, le=500)  # empty rows offered in the form
    columns: list[ListColumn]
    chapter: bool = True  # shown in the chapter (a work plan is not)
    chapter_columns: list[str] = []  # columns shown in the chapter (default: all)
    hint: str = ""
    land_demand: LandDemand | None = None  # the chapter sums its rows' land: place × type

    @model_validator(mode="after")
    def _land_columns_exist(self) -> ListInput:
        if self.land_demand is None:
            return self
        kinds = {c.code: c.type for c in self.columns}
        d = self.land_demand
        for key, code in (("place", d.place), ("area", d.area), ("land_type", d.land_type)):
            if code not in kinds:
                raise ValueError(f"land_demand.{key}: không có cột '{code}'")
        if kinds[d.area] not in ("number", "integer"):
            raise ValueError(f"land_demand.area: cột '{d.area}' phải là số")
        return self


class TargetRow(_Model):
    indicator: str  # indicator asked for target years
    part: str | None = None
    current: str | None = None  # derived code giving the current value, if not the indicator
    current_period: str | None = None  # take the current value from this period's figure
    reference: str | None = None  # national or legal reference, in Vietnamese
    label: str | None = None  # label in the targets table; default: the indicator's


class Item(_Model):
    # I.1 ... I.9, I.DG, II.1 ... II.5, IV. Part IV has one item and no number of its own:
    # "IV.2." in a narrative form is the item's second sub-topic, not an item IV.2.
    code: str = Field(pattern=r"^((I|II)(\.[0-9A-Z]+)?|IV)$")
    part: PartCode
    title: str
    unit: str  # owning unit code, or "all"
    due: dt.date  # deadline for this item
    subtopics: list[str] = []  # sub-headings of the narrative form
    indicators: list[Indicator] = []
    tables: list[Table] = []
    charts: list[Chart] = []
    targets: list[TargetRow] = []
    forecast: bool = False  # the section shows the forecast table of every target


class Signature(_Model):
    """Who signs the chapter (Decree 30/2020, Appendix I: the signing authority, the
    signer's title, the signer's name under the space for the signature and seal)."""

    authority: str = ""  # "KT. GIÁM ĐỐC" when signing on behalf of the head; "" otherwise
    title: str  # "PHÓ GIÁM ĐỐC"
    name: str = ""  # "" leaves the name to be written by hand


class DocumentForm(_Model):
    """The chapter as an official report (Decree 30/2020): its number line, its title broken
    by meaning, its signature and its recipients."""

    symbol: str = Field(pattern=r"^[A-ZĐ0-9&-]+$")  # "BC-KHCN" in "Số: …/BC-KHCN"
    title_lines: list[str] = []  # the title, one line each ([]: chapter_title on one line)
    signature: Signature
    recipients: list[str]  # "Nơi nhận", each as it is printed ("- Lưu: VT, KHTC.")


class ProgressForms(_Model):
    """The office's progress documents as official documents (Decree 30/2020): the weekly
    report to the steering committee, the monthly report to the Department of Planning and
    Investment, the reminder letters to the units. Signed as the chapter (`document`)."""

    basis: str = ""  # the plan they carry out, as the opening sentence names it
    title_lines: list[str] = ["Tiến độ xây dựng nội dung khoa học và công nghệ",
                              "phục vụ lập quy hoạch tỉnh"]  # a report's title by meaning
    office: str = "KHTC"  # unit code of the office that collects the units' contents
    weekly_to: str = "Ban Chỉ đạo lập quy hoạch tỉnh"  # who the weekly report informs
    monthly_to: str = "Sở Kế hoạch và Đầu tư"  # who the monthly report informs
    monthly_before: int = Field(default=13, ge=2, le=28)  # sent before this day each month
    report_symbol: str = Field(default="BC-KHCN", pattern=r"^[A-ZĐ0-9&-]+$")  # "Số: …/BC-KHCN"
    letter_symbol: str = Field(default="KHCN-KHTC", pattern=r"^[A-ZĐ0-9&-]+$")
    reminder_days: int = Field(default=3, ge=1, le=30)  # a letter's new deadline: the
    # as-of date plus this many working days (weekends and `holidays` skipped)
    committee_after: int = Field(default=3, ge=0)  # a unit overdue more than this many days
    # is put to the steering committee
    holidays: list[dt.date] = []  # public holidays on weekdays (no deadline falls on one)
    weekly_recipients: list[str] = ["Lưu: VT, KHTC."]  # "Nơi nhận", as printed
    monthly_recipients: list[str] = ["Lưu: VT, KHTC."]
    letter_recipients: list[str] = ["Như trên;", "Lưu: VT, KHTC."]


class Reference(_Model):
    """A sourced figure the chapter compares the province with: a national figure, a legal
    floor. The analysis quotes it with its source in words (templates/phan-tich.yaml)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # key in the phrases: ref("code")
    label: str  # Vietnamese: what the figure is
    value: float
    measure: str  # "%", "% tổng chi NSNN"...
    period: str | None = None  # the period it covers ("2011-2015"), or
    year: int | None = None  # the year it is of or applies from
    cited_as: str  # the source in words, as the chapter names it: "Tổng cục Thống kê"
    source: str  # Vietnamese citation with its URL

    @model_validator(mode="after")
    def _period_or_year(self) -> Reference:
        if self.period is not None and self.year is not None:
            raise ValueError("chỉ ghi một trong hai khóa 'period' hoặc 'year'")
        return self


class Derived(_Model):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    measure: str
    decimals: int = Field(default=2, ge=0, le=6)
    formula: str  # arithmetic over indicator codes, parameters and earlier derived codes
    # Period figure: "inputs" evaluates the formula on the inputs' period figures (for a
    # share: ratio of the sums; for TFP: from the average growth rates); "mean" averages
    # the yearly values. The chapter's note says which.
    period: Literal["inputs", "mean"] = "inputs"


Importance = Literal["loi", "canh_bao", "thong_tin"]  # DHIS2's importance, in Vietnamese
MissingStrategy = Literal["skip_if_any_missing", "skip_if_all_missing", "never_skip"]


class Rule(_Model):
    """A declared validation rule, after DHIS2's design: left side, operator, right side."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # stable code shown in reports
    left: str  # expression over indicator codes (see catalogue/formula.py)
    op: Literal["<=", "<", ">=", ">", "==", "!="]
    right: str
    importance: Importance = "loi"
    missing: MissingStrategy = "skip_if_any_missing"  # never_skip: a missing value counts as 0
    tolerance: float = Field(default=0.0, ge=0)  # allowed absolute difference
    left_label: str | None = None  # Vietnamese names of the two sides; default: the label
    right_label: str | None = None  # of a single indicator, else the expression
    instruction: str  # Vietnamese: what the unit should check or do


class Checks(_Model):
    """Settings of the built-in year-on-year outlier check."""

    outlier_factor: float = Field(default=3.0, gt=1)  # a jump beyond ×factor or ÷factor
    outlier_sigma: float = Field(default=3.0, gt=0)  # or beyond k standard deviations
    outlier_min: float = Field(default=20.0, ge=0)  # ignore series whose values stay below


class Years(_Model):
    actual: list[int]
    target: list[int]


class Period(_Model):
    code: str
    first: int
    last: int


class Catalogue(_Model):
    form_version: str
    agency: str
    parent_agency: str
    place: str
    chapter_date: dt.date
    chapter_title: str
    part_titles: dict[PartCode, str]  # title of each part, in the chapter and the forms
    years: Years
    periods: list[Period] = []
    units: list[Unit]
    breakdowns: dict[str, list[Part]] = {}
    data_status: list[str] = []
    items: list[Item]
    parameters: dict[str, float] = {}  # named constants usable in formulas (b_k...)
    references: list[Reference] = []  # sourced national and legal figures the text quotes
    document: DocumentForm | None = None  # the chapter's official form (number, signature)
    progress: ProgressForms = ProgressForms()  # the progress reports' and letters' form
    abbreviations: dict[str, str] = {}  # "KH&CN": "Khoa học và công nghệ", listed in front
    derived: list[Derived] = []
    rules: list[Rule] = []
    checks: Checks = Checks()
    choices: dict[str, list[str]] = {}  # dropdown lists of list inputs (districts...)
    lists: list[ListInput] = []
    fingerprint: str = ""  # sha256 prefix of what shapes the forms; set by parse_catalogue

    @field_validator("part_titles")
    @classmethod
    def _every_part_titled(cls, titles: dict[PartCode, str]) -> dict[PartCode, str]:
        missing = [p for p in get_args(PartCode) if p not in titles]
        if missing:
            raise ValueError(f"thiếu tên của phần {', '.join(missing)}")
        return titles

    @field_validator("lists")
    @classmethod
    def _one_land_demand(cls, lists: list[ListInput]) -> list[ListInput]:
        if sum(li.land_demand is not None for li in lists) > 1:
            raise ValueError("chỉ một danh sách được khai báo 'land_demand'")
        return lists

    @field_validator("references")
    @classmethod
    def _unique_references(cls, refs: list[Reference]) -> list[Reference]:
        codes = [r.code for r in refs]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"mã số liệu tham chiếu trùng: {', '.join(twice)}")
        return refs

    # --- lookups -------------------------------------------------------------------------
    @cached_property
    def period_by_code(self) -> dict[str, Period]:
        return {p.code: p for p in self.periods}

    @cached_property
    def unit_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    @cached_property
    def indicator_by_code(self) -> dict[str, Indicator]:
        return {i.code: i for item in self.items for i in item.indicators}

    @cached_property
    def item_of_indicator(self) -> dict[str, Item]:
        return {i.code: item for item in self.items for i in item.indicators}

    @cached_property
    def derived_by_code(self) -> dict[str, Derived]:
        return {d.code: d for d in self.derived}

    @cached_property
    def reference_by_code(self) -> dict[str, Reference]:
        return {r.code: r for r in self.references}

    def lists_of(self, unit_code: str) -> list[ListInput]:
        """List inputs in the unit's workbook."""
        return [li for li in self.lists if li.unit in (unit_code, ALL_UNITS)]

    @cached_property
    def list_by_code(self) -> dict[str, ListInput]:
        return {li.code: li for li in self.lists}

    def items_of(self, unit_code: str) -> list[Item]:
        """Items the unit owns or writes narrative for, in the seed's order."""
        return [it for it in self.items if it.unit in (unit_code, ALL_UNITS)]

    def data_items_of(self, unit_code: str) -> list[Item]:
        """Items whose indicators the unit fills in its workbook."""
        return [it for it in self.items if it.unit == unit_code and it.indicators]

    def parts_of(self, indicator: Indicator) -> list[Part]:
        """The rows of an indicator in the form: its parts, then the total; or one row."""
        if indicator.breakdown is None:
            return [Part(code=TOTAL, label="")]
        # An unknown breakdown name gives no parts here; _cross_check reports it.
        parts = list(self.breakdowns.get(indicator.breakdown, []))
        if indicator.with_total:
            parts.append(Part(code=TOTAL, label="Tổng số"))
        return parts

    def years_of(self, indicator: Indicator) -> list[int]:
        if indicator.years == "actual":
            return list(self.years.actual)
        if indicator.years == "target":
            return list(self.years.target)
        return list(self.years.actual) + list(self.years.target)

    def row_label(self, indicator_code: str, part: str) -> str:
        """The label of a form row as the unit reads it: 'Label – part' ('– Tổng số' for the
        total row of a breakdown), the label alone otherwise; an unknown code (from an older
        catalogue) is returned as it is."""
        ind = self.indicator_by_code.get(indicator_code)
        if ind is None:
            return indicator_code
        try:
            part_label = self.part_label(indicator_code, part)
        except KeyError:
            part_label = ""
        return ind.label + (f" – {part_label}" if part_label else "")

    def part_label(self, indicator_code: str, part: str) -> str:
        ind = self.indicator_by_code[indicator_code]
        for p in self.parts_of(ind):
            if p.code == part:
                return p.label
        raise KeyError(f"{indicator_code}.{part}")
