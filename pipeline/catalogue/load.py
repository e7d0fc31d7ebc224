"""Load and check templates/catalogue.yaml: units, content items, indicators, tables, targets.

The catalogue is the one source of truth: forms, validation, the chapter's tables and the
progress report all come from it. `load_catalogue` checks it against a schema (pydantic) and
then cross-checks its references; every error names the YAML key, e.g.
``items[I.3].indicators[grdp_tang].type``.

Office staff edit the file, so reading it expects their tools: UTF-8 with or without a BOM,
CRLF, Notepad's "Unicode" (UTF-16 with a BOM); another encoding (Windows-1258, TCVN3, VNI)
is refused naming the first line that is not UTF-8. The YAML nodes are walked before they
become Python objects: a key written twice in one mapping (which YAML would silently keep
once) is refused naming both lines, and the line of every key is kept by its path, so that an
unknown, misnamed or missing key is named with its line too. Whatever is wrong with the file
(missing, a folder, unreadable, empty, a syntax error) is a CatalogueError naming it, never a
traceback.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import ValidationError

from pipeline.catalogue.formula import FormulaError, parse_formula
from pipeline.catalogue.model import (
    ALL_UNITS,
    NATURE_VI,
    TOTAL,
    Catalogue,
    Indicator,
    Item,
    ListInput,
    Part,
    TargetRow,
    nature_choices_vi,
)
from pipeline.core.errors import CatalogueError

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails


_PYDANTIC_VI = {
    "missing": "thiếu khóa bắt buộc",
    "extra_forbidden": "khóa không được phép (viết sai tên khóa?); sửa tên hoặc xóa dòng này",
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


def _entry(code: object, index: int) -> str:
    """How a path names a list entry: by its code, else by its index."""
    return f"[{code}]" if code else f"[{index}]"


DICT_KEY = "[key]"  # the last part of pydantic's location when a mapping's key is wrong


def _yaml_path(raw: Mapping[str, object], loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into a YAML key path, naming list entries by code."""
    out = ""
    node: object = raw
    for key in loc:
        if key == DICT_KEY:
            continue
        if isinstance(key, int) and isinstance(node, list):
            entry = node[key] if key < len(node) else None
            out += _entry(entry.get("code") if isinstance(entry, dict) else None, key)
            node = entry
        else:
            out += f".{key}" if out else str(key)
            node = node.get(key) if isinstance(node, dict) else None
    return out


Lines = Mapping[str, int]  # YAML path, named as _yaml_path names it → line of its key or entry
KEY_ERRORS = ("extra_forbidden", "missing")  # a key that should not be there, or is absent


def _line_of(lines: Lines, where: str) -> int | None:
    """The line of `where` in the file, or of the nearest key or entry that holds it (a
    missing key's line is its mapping's)."""
    while where:
        if where in lines:
            return lines[where]
        cut = max(where.rfind("."), where.rfind("["))
        if cut <= 0:
            return None
        where = where[:cut]
    return None


def _nature_problem(err: ErrorDetails) -> str | None:
    """An indicator's `nature` missing or misspelt, said with the allowed values and their
    meaning (there is no default: the period figure follows from it); None for other errors."""
    if err["loc"][-1:] != ("nature",) or err["type"] not in ("missing", "literal_error"):
        return None
    choices = " | ".join(NATURE_VI)
    if err["type"] == "literal_error":
        return f"phải là một trong: {choices} ({nature_choices_vi()})"
    return (f"thiếu khóa 'nature' ({choices}). Hãy thêm dòng 'nature:' ghi bản chất số liệu "
            f"của chỉ tiêu: {nature_choices_vi()}")


def _schema_problem(raw: Mapping[str, object], err: ErrorDetails, lines: Lines | None) -> str:
    """One line of a schema error: the key's path, its line for a key that should not be
    there, is absent or is misnamed (such a key is not found by searching for its path) or for
    a list entry whose keys disagree (an indicator's nature and period), and the Vietnamese
    message. A missing `nature` is named on its indicator."""
    loc = err["loc"]
    misnamed = bool(loc) and loc[-1] == DICT_KEY
    nature = _nature_problem(err)
    if nature is not None and err["type"] == "missing":
        loc = loc[:-1]
    where = _yaml_path(raw, loc)
    message = nature or (("tên khóa " if misnamed else "") + _message_vi(err))
    entry = err["type"] == "value_error" and bool(loc) and isinstance(loc[-1], int)
    line = None
    if lines is not None and (misnamed or entry or err["type"] in KEY_ERRORS):
        line = _line_of(lines, where)
    return f"- {where}{f' (dòng {line})' if line else ''}: {message}"


FORM_KEYS = ("form_version", "years", "units", "breakdowns", "data_status", "choices")
UNIT_FORM_KEYS = ("code", "name")  # a unit's short name is for the office's tables only
LIST_FORM_KEYS = ("code", "title", "sheet", "unit", "rows", "columns", "hint")
ITEM_FORM_KEYS = ("code", "title", "unit", "due", "subtopics", "indicators")
INDICATOR_FORM_KEYS = ("code", "label", "measure", "type", "min", "max", "decimals", "years",
                       "breakdown", "with_total", "required", "hint")


def _fingerprint(raw: Mapping[str, object]) -> str:
    """Hash of what shapes the units' forms (not the chapter's tables, texts or formulas),
    so editing a table title does not make every unit's form look outdated."""
    shape = {k: raw.get(k) for k in FORM_KEYS}
    units = raw.get("units")
    if isinstance(units, list):
        shape["units"] = [{k: u[k] for k in UNIT_FORM_KEYS if k in u} if isinstance(u, dict)
                          else u for u in units]
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


def parse_catalogue(raw: object, source: str = "catalogue.yaml",
                    lines: Lines | None = None) -> Catalogue:
    """Validate an already-parsed YAML document; raise CatalogueError naming each bad key
    (and, with the `lines` of the file it was read from, the line of a key that should not be
    there or is absent)."""
    if raw is None:
        raise CatalogueError(f"{source}: tệp danh mục trống (không có khóa nào). Hãy lấy lại "
                             "nội dung từ bản sao lưu của tệp rồi chạy lại.")
    if not isinstance(raw, dict):
        raise CatalogueError(f"{source}: tệp phải là một bảng khóa - giá trị (mapping) YAML")
    if "fingerprint" in raw:  # a field of the model, but computed here: not the editor's
        line = _line_of(lines or {}, "fingerprint")
        raise CatalogueError(f"{source} không hợp lệ:\n- fingerprint"
                             f"{f' (dòng {line})' if line else ''}: khóa không được phép "
                             "(mã này do chương trình tự tính); hãy xóa dòng này")
    try:
        cat = Catalogue.model_validate({**raw, "fingerprint": _fingerprint(raw)})
    except ValidationError as e:
        problems = [_schema_problem(raw, err, lines) for err in e.errors()]
        raise CatalogueError(f"{source} không hợp lệ:\n" + "\n".join(problems)) from e
    problems = _cross_check(cat)
    if problems:
        raise CatalogueError(f"{source} không hợp lệ:\n" + "\n".join(f"- {p}" for p in problems))
    problems = check_formulas(cat)
    if problems:
        raise CatalogueError(f"{source} không hợp lệ:\n" + "\n".join(f"- {p}" for p in problems))
    return cat


# --- reading the file ------------------------------------------------------------------------
MAX_BYTES = 5_000_000  # the catalogue is ~50 KB: a bigger file is the wrong file
# Byte order marks and the codec that reads the text after them (UTF-32's first: FF FE 00 00
# starts like UTF-16's FF FE). UTF-16 is what Notepad saves as "Unicode".
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
SAVE_AS_UTF8 = ("Hãy mở tệp bằng Notepad hoặc VS Code và lưu lại dạng UTF-8 (Notepad: File > "
                "Save As, mục Encoding chọn UTF-8; VS Code: Save with Encoding > UTF-8) rồi "
                "chạy lại.")


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; a path that is missing, a folder or unreadable is a CatalogueError."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError) as e:
        raise CatalogueError(f"Không tìm thấy tệp danh mục '{path}'. Kiểm tra đường dẫn (tùy "
                             "chọn --catalogue) hoặc lấy lại tệp từ bản sao lưu.") from e
    except IsADirectoryError as e:
        raise CatalogueError(f"'{path}' là một thư mục, không phải tệp danh mục. Hãy chỉ tới "
                             "tệp catalogue.yaml (tùy chọn --catalogue).") from e
    except PermissionError as e:
        raise CatalogueError(f"Không có quyền đọc tệp danh mục '{path}'. Hãy cấp quyền đọc "
                             "cho tệp (hoặc chép tệp sang thư mục của mình) rồi chạy lại.") from e
    except OSError as e:
        raise CatalogueError(f"Không đọc được tệp danh mục '{path}' ({e.strerror or e}). "
                             "Kiểm tra tệp rồi chạy lại.") from e
    if len(data) > MAX_BYTES:
        raise CatalogueError(f"Tệp danh mục '{path}' quá lớn (hơn {MAX_BYTES // 1_000_000} MB; "
                             "danh mục chỉ vài chục KB): có lẽ đã chỉ nhầm tệp. Kiểm tra "
                             "đường dẫn (tùy chọn --catalogue).")
    return data


def _line_at(data: bytes, offset: int, codec: str) -> tuple[int, str]:
    """The line number of byte `offset` and that line's text (bytes the codec cannot read
    shown as '\ufffd', at most 60 characters)."""
    before = data[:offset].decode(codec, errors="replace")
    whole = data.decode(codec, errors="replace")
    start = max(whole.rfind("\n", 0, len(before)), whole.rfind("\r", 0, len(before))) + 1
    text = re.split(r"[\r\n]", whole[start:], maxsplit=1)[0].strip()
    line = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
    return line, text[:60] + ("…" if len(text) > 60 else "")


def _decode(data: bytes, name: str) -> str:
    """The file's text, NFC: UTF-8 with or without a BOM, or UTF-16/32 with one. Any other
    encoding (Windows-1258, TCVN3, VNI, UTF-16 without BOM) is a CatalogueError naming the
    first line that is not UTF-8."""
    codec = next((c for bom, c in _BOMS if data.startswith(bom)), None)
    if codec is None and data.count(b"\x00") * 4 >= len(data) > 0:  # ASCII as UTF-16/32
        raise CatalogueError(f"{name}: tệp danh mục không phải UTF-8 (có lẽ đã lưu dạng "
                             "UTF-16 không có BOM). " + SAVE_AS_UTF8)
    try:
        text = data.decode(codec or "utf-8")
    except UnicodeDecodeError as e:
        line, shown = _line_at(data, e.start, codec or "utf-8")
        if codec in (None, "utf-8-sig"):
            what = ("không phải UTF-8 (dòng {}: \"{}\"); có lẽ tệp đã được lưu bằng bảng mã "
                    "khác (Windows-1258, TCVN3, VNI)")
        else:
            what = f"dạng {codec.upper()} bị hỏng (dòng {{}}: \"{{}}\")"
        raise CatalogueError(f"{name}: tệp danh mục {what.format(line, shown)}. "
                             + SAVE_AS_UTF8) from e
    return unicodedata.normalize("NFC", text)


# libyaml's parser when PyYAML was built with it (10× faster on the catalogue), same results.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"


def _code_of(construct: Callable[[yaml.Node], object], node: yaml.Node) -> object:
    """The value of a mapping node's `code` key (how paths name list entries), or None."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode) \
                    and construct(key) == "code":
                return construct(value)
    return None


def _walk(construct: Callable[[yaml.Node], object], node: yaml.Node, where: str,
          lines: dict[str, int], problems: list[str], seen: set[int]) -> None:
    """Note the line of every key and list entry under `node` by its path; a key written
    twice in one mapping (YAML would keep the second silently) is a problem naming both
    lines. An alias is walked once, where its anchor is."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = where + _entry(_code_of(construct, item), i)
            lines.setdefault(path, item.start_mark.line + 1)
            _walk(construct, item, path, lines, problems, seen)
    elif isinstance(node, yaml.MappingNode):
        first: dict[object, int] = {}
        for key_node, value in node.value:
            if key_node.tag == _MERGE or not isinstance(key_node, yaml.ScalarNode):
                continue  # `<<: *anchor` overrides by design; a key that is a list fails later
            key, line = construct(key_node), key_node.start_mark.line + 1
            path = f"{where}.{key}" if where else str(key)
            if key in first:
                problems.append(f"- {path} (dòng {line}): khóa '{key}' bị lặp, đã có ở dòng "
                                f"{first[key]} trong cùng một mục (YAML chỉ giữ giá trị viết "
                                "sau); hãy giữ một dòng, xóa dòng kia")
                continue
            first[key] = line
            lines.setdefault(path, line)
            _walk(construct, value, path, lines, problems, seen)


# PyYAML's and libyaml's problems (a part of their English text) in Vietnamese, first match.
_YAML_PROBLEMS_VI = (
    ("tab character", "có ký tự Tab: YAML chỉ thụt lề bằng dấu cách"),  # libyaml
    ("'\\t'", "có ký tự Tab: YAML chỉ thụt lề bằng dấu cách"),  # PyYAML's own scanner
    ("cannot start any token", "ký tự này không được đứng đầu một giá trị; đặt giá trị trong "
                               "dấu nháy \"...\""),
    ("mapping values are not allowed", "dấu ':' không đúng chỗ (thụt lề lệch, thiếu dấu cách "
                                       "sau ':', hoặc giá trị có ': ' cần đặt trong dấu nháy "
                                       "\"...\")"),
    ("could not find expected ':'", "thiếu dấu ':' sau tên khóa"),
    ("expected key", "thụt lề không thẳng hàng với các dòng cùng cấp"),  # libyaml's words
    ("expected '-' indicator", "thụt lề không thẳng hàng với các dòng cùng cấp"),
    ("expected <block end>", "thụt lề không thẳng hàng với các dòng cùng cấp"),  # PyYAML's
    ("end of stream", "hết tệp mà dấu nháy hoặc dấu ngoặc chưa đóng"),
    ("expected ','", "thiếu dấu ',' hoặc dấu đóng ngoặc"),
    ("another document", "tệp chỉ được có một tài liệu YAML: xóa dòng '---' ở giữa tệp"),
    ("undefined alias", "'*' gọi một neo (anchor) chưa có; nếu là chữ, đặt giá trị trong dấu "
                        "nháy \"...\""),
    ("duplicate anchor", "tên neo '&' bị lặp"),
    ("could not determine a constructor", "thẻ '!...' không được dùng trong danh mục"),
    ("unhashable key", "tên khóa phải là chữ hoặc số"),
    ("nesting depth", "các khóa, danh sách hoặc ngoặc lồng nhau quá sâu"),
)


_YAML_CONTEXTS_VI = (("quoted scalar", "dấu nháy mở"), ("flow", "dấu ngoặc mở"),
                     ("block", "trong khối bắt đầu"))


def _syntax_message(name: str, e: yaml.MarkedYAMLError) -> str:
    """A YAML error in Vietnamese, with the line and column where it was found."""
    mark, problem = e.problem_mark, e.problem or e.context or ""
    vi = next((v for part, v in _YAML_PROBLEMS_VI if part in problem), f"'{problem}'")
    where = f", dòng {mark.line + 1}, cột {mark.column + 1}" if mark is not None else ""
    opened = ""  # where the quote, bracket or block being read began, when on another line
    if e.context_mark is not None and mark is not None and e.context_mark.line != mark.line:
        context = e.context or ""
        what = next((v for part, v in _YAML_CONTEXTS_VI if part in context), None)
        opened = f" ({what} ở dòng {e.context_mark.line + 1})" if what else ""
    return f"{name}{where}: lỗi cú pháp YAML: {vi}{opened}. Hãy sửa rồi chạy lại."


def _document(loader: yaml.SafeLoader, name: str) -> tuple[object, dict[str, int]]:
    """The loader's one document and the line of each key path; a key written twice is a
    CatalogueError naming both lines."""
    node = loader.get_single_node()
    lines: dict[str, int] = {}
    if node is None:
        return None, lines
    problems: list[str] = []
    _walk(lambda n: loader.construct_object(n, deep=True), node, "", lines, problems, set())
    if problems:
        raise CatalogueError(f"{name} không hợp lệ:\n" + "\n".join(problems))
    return loader.construct_document(node), lines


def _parse_yaml(text: str, name: str) -> tuple[object, dict[str, int]]:
    """The YAML document and the line of each key path; a syntax error, a control character,
    a key written twice or nesting too deep is a CatalogueError naming the line."""
    try:
        loader = _YAML_LOADER(text)  # PyYAML's own reader checks the characters here
        try:
            return _document(loader, name)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        raise CatalogueError(_syntax_message(name, e)) from e
    except yaml.reader.ReaderError as e:  # a control character (NUL, ESC...) in the text
        code = e.character if isinstance(e.character, int) else ord(e.character)
        # The first such character is the one refused (libyaml counts `position` in bytes).
        line = text.count("\n", 0, max(text.find(chr(code)), 0)) + 1
        raise CatalogueError(f"{name}, dòng {line}: có ký tự điều khiển không được phép "
                             f"(mã {code:#06x}, thường do chép từ Word hoặc Excel); hãy xóa "
                             "ký tự đó rồi chạy lại.") from e
    except yaml.YAMLError as e:
        raise CatalogueError(f"{name}: lỗi cú pháp YAML ({e}). Hãy sửa rồi chạy lại.") from e
    except RecursionError as e:
        raise CatalogueError(f"{name}: các khóa và danh sách lồng nhau quá sâu; danh mục "
                             "không có mục nào sâu quá mười cấp. Hãy sửa rồi chạy lại.") from e


def load_catalogue(path: Path) -> Catalogue:
    """Read and check the catalogue file: UTF-8 with or without a BOM (UTF-16 with a BOM is
    read too), CRLF or LF, one YAML document in which no mapping has a key twice. Every
    problem, from a missing file to a bad reference, is a CatalogueError naming the file
    and, where it is one place, its line."""
    text = _decode(_read_bytes(path), path.name)
    raw, lines = _parse_yaml(text, path.name)
    return parse_catalogue(raw, path.name, lines)


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


