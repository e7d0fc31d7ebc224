"""Load and check templates/catalogue.yaml: units, content items, indicators, tables, targets.

The catalogue is the one source of truth: forms, validation, the chapter's tables and the
progress report all come from it. `load_catalogue` checks it against a schema (pydantic) and
then cross-checks its references; every error names the YAML key, e.g.
``items[I.3].indicators[grdp_tang].type``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import ValidationError

from pipeline.catalogue.formula import FormulaError, parse_formula
from pipeline.catalogue.model import (
    ALL_UNITS,
    TOTAL,
    Catalogue,
    Indicator,
    Item,
    ListInput,
    Part,
    TargetRow,
)
from pipeline.core.errors import CatalogueError

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails


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
    ctx = dict(err.get("ctx", {}))
    if isinstance(ctx.get("expected"), str):  # pydantic joins choices "'a', 'b' or 'c'"
        ctx["expected"] = re.sub(r" or (?=')", " hoặc ", ctx["expected"])
    try:
        return template.format(**ctx)
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


def _part_problem(cat: Catalogue, where: str, code: str, part: str,
                  unknown: str) -> list[str]:
    """`unknown` when `code` names no indicator, or a problem when it lacks `part`."""
    ind = cat.indicator_by_code.get(code)
    if ind is None:
        return [f"{where}: '{code}' {unknown}"]
    if part not in {p.code for p in cat.parts_of(ind)}:
        return [f"{where}: chỉ tiêu '{code}' không có phân tổ '{part}'"]
    return []


def _formula_problems(cat: Catalogue, where: str, text: str, known: set[str],
                      unknown: str) -> list[str]:
    """Problems with one formula: it must parse, and each code must be an indicator with the
    part named, or (as a whole) one of `known` (parameters, earlier derived codes); `unknown`
    says what a code that is neither should have been."""
    try:
        formula = parse_formula(text)
    except FormulaError as e:
        return [f"{where}: {e}"]
    problems: list[str] = []
    for code, part in formula.refs:
        if not (code in known and part == TOTAL):
            problems += _part_problem(cat, where, code, part, unknown)
    return problems


def check_formulas(cat: Catalogue) -> list[str]:
    """Problems with the catalogue's formulas, each naming its YAML key."""
    problems: list[str] = []
    known: set[str] = set(cat.parameters)
    for d in cat.derived:
        problems += _formula_problems(cat, f"derived[{d.code}].formula", d.formula, known,
                                      "không phải chỉ tiêu hay chỉ tiêu tính toán đứng trước")
        known.add(d.code)
    for rule in cat.rules:
        for side in ("left", "right"):
            problems += _formula_problems(cat, f"rules[{rule.code}].{side}",  # no codes of
                                          getattr(rule, side), set(),  # their own: only the
                                          "không phải chỉ tiêu của biểu mẫu")  # form's
    return problems


