"""Load and check templates/catalogue.yaml: units, content items, indicators, tables, targets.

The catalogue is the one source of truth: forms, validation, the chapter's tables and the
progress report all come from it. `load_catalogue` checks it against a schema (pydantic) and
then cross-checks its references; every error names the YAML key, e.g.
``items[I.3].indicators[grdp_tang].type``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import CatalogueError

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

TOTAL = "total"
"""Part code of the total row of an indicator that has a breakdown and `with_total`."""

ALL_UNITS = "all"
"""`unit` of a content item that every unit writes narrative for."""

ValueType = Literal["number", "integer", "percent"]
YearSet = Literal["actual", "target", "both"]
# How an indicator's figure for a period is made from its yearly values.
PeriodMethod = Literal["sum", "mean", "growth_mean", "last"]
PERIOD_METHOD_VI = {
    "sum": "tổng các năm",
    "mean": "bình quân các năm",
    "growth_mean": "tốc độ tăng bình quân (bình quân nhân)",
    "last": "số năm cuối giai đoạn",
}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Unit(_Model):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9]*$")  # short code written in each form
    name: str  # Vietnamese name, as in the seed's assignment table


class Part(_Model):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # key in the form and the merged table
    label: str  # Vietnamese label shown in forms and the chapter


class Indicator(_Model):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # stable key, never shown to readers
    label: str  # Vietnamese label
    measure: str  # unit of measure: triệu đồng, %, người...
    type: ValueType = "number"  # number, integer (counts) or percent
    min: float | None = None  # allowed range; percent defaults to 0-100, others to >= 0
    max: float | None = None
    decimals: int = Field(default=0, ge=0, le=6)  # digits shown in the chapter
    years: YearSet = "actual"  # which year columns the form asks for
    breakdown: str | None = None  # code of a list in `breakdowns`
    with_total: bool = False  # with a breakdown: also ask for the total row
    required: bool = False  # every asked cell must be filled
    cumulative: bool = False  # a running total: may not fall from one year to the next
    outliers: bool = True  # check year-on-year jumps (off for rates that swing by nature)
    period: PeriodMethod | None = None  # period figure; default: sum, percent mean, stock last
    hint: str | None = None  # Vietnamese hint shown in the form

    @property
    def period_method(self) -> str:
        if self.period is not None:
            return self.period
        if self.cumulative:
            return "last"
        return "mean" if self.type == "percent" else "sum"

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


class TargetRow(_Model):
    indicator: str  # indicator asked for target years
    part: str | None = None
    current: str | None = None  # derived code giving the current value, if not the indicator
    current_period: str | None = None  # take the current value from this period's figure
    reference: str | None = None  # national or legal reference, in Vietnamese


class Item(_Model):
    code: str = Field(pattern=r"^(I|II|IV)(\.[0-9A-Z]+)?$")  # I.1 ... I.9, I.DG, II.1 ... IV
    part: Literal["I", "II", "IV"]
    title: str
    unit: str  # owning unit code, or "all"
    due: dt.date  # deadline for this item
    subtopics: list[str] = []  # sub-headings of the narrative form
    indicators: list[Indicator] = []
    tables: list[Table] = []
    charts: list[Chart] = []
    targets: list[TargetRow] = []


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
    left: str  # expression over indicator codes (see formula.py)
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
    years: Years
    periods: list[Period] = []
    units: list[Unit]
    breakdowns: dict[str, list[Part]] = {}
    data_status: list[str] = []
    items: list[Item]
    parameters: dict[str, float] = {}  # named constants usable in formulas (b_k...)
    derived: list[Derived] = []
    rules: list[Rule] = []
    checks: Checks = Checks()
    choices: dict[str, list[str]] = {}  # dropdown lists of list inputs (districts...)
    lists: list[ListInput] = []
    fingerprint: str = ""  # sha256 prefix of what shapes the forms; set by parse_catalogue

    # --- lookups -------------------------------------------------------------------------
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


_PYDANTIC_VI = {
    "missing": "thiếu khóa bắt buộc",
    "extra_forbidden": "khóa không được phép (viết sai tên khóa?)",
    "string_type": "phải là chuỗi văn bản",
    "string_pattern_mismatch": "sai dạng mã (chỉ dùng chữ không dấu, số và '_')",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "float_type": "phải là số",
    "float_parsing": "phải là số",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "list_type": "phải là một danh sách",
    "dict_type": "phải là một bảng khóa - giá trị",
    "model_type": "phải là một bảng khóa - giá trị",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "literal_error": "phải là một trong: {expected}",
}


def _message_vi(err: ErrorDetails) -> str:
    """pydantic's error in Vietnamese; our own validators already raise Vietnamese text."""
    if err["type"] == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    template = _PYDANTIC_VI.get(err["type"])
    if template is None:
        return f"giá trị không hợp lệ ({err['type']})"
    try:
        return template.format(**err.get("ctx", {}))
    except (KeyError, IndexError):
        return template


def _yaml_path(raw: Mapping[str, object], loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into a YAML key path, naming list entries by code."""
    out = ""
    node: object = raw
    for key in loc:
        if isinstance(key, int) and isinstance(node, list):
            entry = node[key] if key < len(node) else None
            code = entry.get("code") if isinstance(entry, dict) else None
            out += f"[{code}]" if code else f"[{key}]"
            node = entry
        else:
            out += f".{key}" if out else str(key)
            node = node.get(key) if isinstance(node, dict) else None
    return out


FORM_KEYS = ("form_version", "years", "units", "breakdowns", "data_status", "choices")
LIST_FORM_KEYS = ("code", "title", "sheet", "unit", "rows", "columns", "hint")
ITEM_FORM_KEYS = ("code", "title", "unit", "due", "subtopics", "indicators")
INDICATOR_FORM_KEYS = ("code", "label", "measure", "type", "min", "max", "decimals", "years",
                       "breakdown", "with_total", "required", "hint")


def _fingerprint(raw: Mapping[str, object]) -> str:
    """Hash of what shapes the units' forms (not the chapter's tables, texts or formulas),
    so editing a table title does not make every unit's form look outdated."""
    shape = {k: raw.get(k) for k in FORM_KEYS}
    items = raw.get("items")
    def indicator(ind: object) -> object:
        return {k: ind.get(k) for k in INDICATOR_FORM_KEYS} if isinstance(ind, dict) else ind

    def item(it: object) -> object:
        if not isinstance(it, dict):
            return it
        out = {k: it.get(k) for k in ITEM_FORM_KEYS}
        if isinstance(out["indicators"], list):
            out["indicators"] = [indicator(i) for i in out["indicators"]]
        return out

    shape["items"] = [item(it) for it in (items if isinstance(items, list) else [])]
    lists = raw.get("lists")
    shape["lists"] = [{k: li.get(k) for k in LIST_FORM_KEYS} if isinstance(li, dict) else li
                      for li in (lists if isinstance(lists, list) else [])]
    canonical = json.dumps(shape, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def _dupes(codes: list[str], where: str) -> list[str]:
    """A problem for each code that repeats an earlier one."""
    problems: list[str] = []
    seen: set[str] = set()
    for c in codes:
        if c in seen:
            problems.append(f"{where}: mã '{c}' bị trùng")
        seen.add(c)
    return problems


def _section_dupes(cat: Catalogue) -> list[str]:
    """Repeated codes among units, items, indicators, rules, lists and sheet names."""
    return (_dupes([u.code for u in cat.units], "units")
            + _dupes([i.code for i in cat.items], "items")
            + _dupes([i.code for it in cat.items for i in it.indicators]
                     + [d.code for d in cat.derived], "items[].indicators / derived")
            + _dupes([r.code for r in cat.rules], "rules")
            + _dupes([li.code for li in cat.lists], "lists")
            + _dupes([li.sheet for li in cat.lists] + [it.code for it in cat.items],
                     "lists[].sheet"))


def _list_problems(cat: Catalogue, li: ListInput) -> list[str]:
    """A list input's unit, item, columns, choices and chapter columns."""
    problems: list[str] = []
    base = f"lists[{li.code}]"
    if li.unit != ALL_UNITS and li.unit not in cat.unit_by_code:
        problems.append(f"{base}.unit: không có đơn vị '{li.unit}'")
    if li.item not in {it.code for it in cat.items}:
        problems.append(f"{base}.item: không có mục '{li.item}'")
    problems += _dupes([c.code for c in li.columns], f"{base}.columns")
    problems += [f"{base}.columns[{c.code}].choices: không có danh sách '{c.choices}' trong "
                 "'choices'" for c in li.columns
                 if c.type == "choice" and c.choices not in cat.choices]
    codes = {c.code for c in li.columns}
    problems += [f"{base}.chapter_columns: không có cột '{code}'"
                 for code in li.chapter_columns if code not in codes]
    return problems


def _breakdown_problems(name: str, parts: list[Part]) -> list[str]:
    """A breakdown's repeated part codes, and a part that takes the total's code."""
    problems = _dupes([p.code for p in parts], f"breakdowns.{name}")
    if any(p.code == TOTAL for p in parts):
        problems.append(f"breakdowns.{name}: mã '{TOTAL}' dành cho dòng tổng số")
    return problems


def _ref_problems(cat: Catalogue, where: str, indicator: str, part: str | None) -> list[str]:
    """A reference to an indicator (and its part) that the catalogue does not have."""
    ind = cat.indicator_by_code.get(indicator)
    if ind is None:
        return [f"{where}.indicator: không có chỉ tiêu '{indicator}'"]
    problems: list[str] = []
    if part is not None and part not in {p.code for p in cat.parts_of(ind)}:
        problems.append(f"{where}.part: chỉ tiêu '{indicator}' không có phân tổ '{part}'")
    if part is None and ind.breakdown is not None:
        problems.append(f"{where}.part: chỉ tiêu '{indicator}' có phân tổ, cần ghi 'part'")
    return problems


def _indicator_problems(cat: Catalogue, where: str, ind: Indicator) -> list[str]:
    """An indicator's breakdown, with_total and min/max range."""
    problems: list[str] = []
    if ind.breakdown is not None and ind.breakdown not in cat.breakdowns:
        problems.append(f"{where}.breakdown: không có danh mục phân tổ '{ind.breakdown}'")
    if ind.with_total and ind.breakdown is None:
        problems.append(f"{where}.with_total: chỉ dùng khi có 'breakdown'")
    if ind.high is not None and ind.low > ind.high:
        problems.append(f"{where}: 'min' lớn hơn 'max'")
    return problems


def _column_problems(cat: Catalogue, base: str, it: Item) -> list[str]:
    """References of an item's table columns, then of its chart series."""
    columns = [(f"{base}.tables[{t_i}].columns[{c_i}]", col)
               for t_i, table in enumerate(it.tables) for c_i, col in enumerate(table.columns)]
    columns += [(f"{base}.charts[{c_i}].series[{s_i}]", col)
                for c_i, chart in enumerate(it.charts) for s_i, col in enumerate(chart.series)]
    problems: list[str] = []
    for where, col in columns:
        if col.derived is None:
            problems += _ref_problems(cat, where, col.indicator or "", col.part)
        elif col.derived not in cat.derived_by_code:
            problems.append(f"{where}.derived: không có chỉ tiêu tính toán '{col.derived}'")
    return problems


def _target_problems(cat: Catalogue, where: str, row: TargetRow) -> list[str]:
    """A target row's indicator, period, target years and current-value source."""
    problems = _ref_problems(cat, where, row.indicator, row.part)
    if row.current_period is not None and row.current_period not in {
            p.code for p in cat.periods}:
        problems.append(f"{where}.current_period: không có giai đoạn '{row.current_period}'")
    target = cat.indicator_by_code.get(row.indicator)
    if target is not None and target.years == "actual":
        problems.append(f"{where}.indicator: '{row.indicator}' không hỏi số liệu năm mục tiêu")
    if row.current is not None and row.current not in cat.derived_by_code:
        problems.append(f"{where}.current: không có chỉ tiêu tính toán '{row.current}'")
    return problems


def _item_problems(cat: Catalogue, it: Item) -> list[str]:
    """An item's unit, indicators, table and chart columns, and target rows."""
    problems: list[str] = []
    base = f"items[{it.code}]"
    if it.unit != ALL_UNITS and it.unit not in cat.unit_by_code:
        problems.append(f"{base}.unit: không có đơn vị '{it.unit}'")
    if it.indicators and it.unit == ALL_UNITS:
        problems.append(f"{base}.unit: mục có chỉ tiêu phải do một đơn vị chủ trì")
    for ind in it.indicators:
        problems += _indicator_problems(cat, f"{base}.indicators[{ind.code}]", ind)
    problems += _column_problems(cat, base, it)
    for r_i, row in enumerate(it.targets):
        problems += _target_problems(cat, f"{base}.targets[{r_i}]", row)
    return problems


def _cross_check(cat: Catalogue) -> list[str]:
    """References between sections; each problem names its YAML key."""
    problems = _section_dupes(cat)
    for li in cat.lists:
        problems += _list_problems(cat, li)
    for name, parts in cat.breakdowns.items():
        problems += _breakdown_problems(name, parts)
    for it in cat.items:
        problems += _item_problems(cat, it)
    return problems


def parse_catalogue(raw: object, source: str = "catalogue.yaml") -> Catalogue:
    """Validate an already-parsed YAML document; raise CatalogueError naming each bad key."""
    if not isinstance(raw, dict):
        raise CatalogueError(f"{source}: tệp phải là một bảng khóa - giá trị (mapping) YAML")
    try:
        cat = Catalogue.model_validate({**raw, "fingerprint": _fingerprint(raw)})
    except ValidationError as e:
        lines = [f"- {_yaml_path(raw, err['loc'])}: {_message_vi(err)}" for err in e.errors()]
        raise CatalogueError(f"{source} không hợp lệ:\n" + "\n".join(lines)) from e
    problems = _cross_check(cat)
    if problems:
        raise CatalogueError(f"{source} không hợp lệ:\n" + "\n".join(f"- {p}" for p in problems))
    # Import here: formula.py imports this module (TOTAL, Catalogue).
    from .formula import check_formulas

    problems = check_formulas(cat)
    if problems:
        raise CatalogueError(f"{source} không hợp lệ:\n" + "\n".join(f"- {p}" for p in problems))
    return cat


# libyaml's parser when PyYAML was built with it (10× faster on the catalogue), same results.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_catalogue(path: Path) -> Catalogue:
    """Read and check the catalogue file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise CatalogueError(f"Không đọc được danh mục '{path}': {e.strerror}") from e
    try:
        raw = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as e:
        raise CatalogueError(f"{path.name}: lỗi cú pháp YAML: {e}") from e
    return parse_catalogue(raw, path.name)
