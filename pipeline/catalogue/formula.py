"""Formulas of the catalogue's derived indicators, parsed and evaluated safely.

A formula is arithmetic (``+ - * /``, parentheses, numbers) over references: an indicator code
(``chi_nsdp``), an indicator part (``chi_khcn.total``, ``nv_so_luong.tinh``) or an earlier
derived code. It is parsed with `ast` and walked node by node: nothing is ever `eval`-ed.
Evaluation raises `MissingInput` for a missing reference or a zero denominator. `in_words`
writes a formula as a reader reads it: labels for codes, "×" and "/", parameters by their
meaning and value.
"""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.catalogue.model import TOTAL, Catalogue
from pipeline.core import fmt

_BINOPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}

Ref = tuple[str, str]  # (indicator or derived code, part)

class FormulaError(ValueError):
    """A formula uses syntax or names the evaluator does not allow."""


@dataclass(frozen=True)
class Formula:
    text: str  # as written in the catalogue
    tree: ast.expr  # parsed, checked expression
    refs: tuple[Ref, ...]  # every reference, in order of appearance


@functools.lru_cache(maxsize=1024)  # rules are checked once per workbook
def parse_formula(text: str) -> Formula:
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as e:
        raise FormulaError(f"công thức '{text}' sai cú pháp") from e
    refs: list[Ref] = []
    _check(tree, text, refs)
    return Formula(text, tree, tuple(refs))


def _ref(node: ast.expr) -> Ref | None:
    if isinstance(node, ast.Name):
        return (node.id, TOTAL)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return (node.value.id, node.attr)
    return None


def _check(node: ast.expr, text: str, refs: list[Ref]) -> None:
    ref = _ref(node)
    if ref is not None:
        refs.append(ref)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        _check(node.left, text, refs)
        _check(node.right, text, refs)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check(node.operand, text, refs)
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        pass  # a plain number: nothing to check
    else:
        raise FormulaError(f"công thức '{text}' dùng phép toán không được phép "
                           f"('{ast.unparse(node)}'); chỉ dùng + - * / và mã chỉ tiêu")


class MissingInput(Exception):
    """A reference has no value, or a denominator is zero."""

    def __init__(self, ref: Ref, zero_division: bool = False):
        self.ref = ref
        self.zero_division = zero_division


def evaluate(node: ast.expr, lookup: Callable[[Ref], float | None]) -> float:
    ref = _ref(node)
    if ref is not None:
        value = lookup(ref)
        if value is None:
            raise MissingInput(ref)
        return value
    if isinstance(node, ast.BinOp):
        left = evaluate(node.left, lookup)
        right = evaluate(node.right, lookup)
        if isinstance(node.op, ast.Div) and right == 0:
            raise MissingInput(_ref(node.right) or ("", ""), zero_division=True)
        return _BINOPS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        value = evaluate(node.operand, lookup)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    raise FormulaError(f"biểu thức '{ast.unparse(node)}' không được phép; chỉ dùng + - * / "
                       "và mã chỉ tiêu")  # parse_formula refuses it first


# --- a formula in words ---------------------------------------------------------------------
PARAMETER_WORDS: dict[str, tuple[str, str]] = {
    # parameter: (its meaning, the meaning of "1 - parameter")
    "b_k": ("hệ số đóng góp của vốn", "hệ số đóng góp của lao động"),
}
"""What each catalogue parameter means, for the formulas the chapter prints (a parameter
without words here is printed as its value alone)."""

_SYMBOLS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "/"}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}
_UNARY, _ATOM = 3, 4


def lower_first(label: str) -> str:
    """A label inside a sentence: its first letter lowercased, unless the first word is an
    abbreviation ("GRDP", "KH&CN") or a single letter."""
    first = label.split(" ", 1)[0]
    if len(first) < 2 or first[1:2].isupper() or not first[0].isupper():
        return label
    return label[0].lower() + label[1:]


def in_words(text: str, cat: Catalogue) -> str:
    """A formula as the chapter prints it: each reference by its label (a part as "label
    (part)"; the total as the label, "(tổng số)" added when the formula also names other parts
    of it), an earlier derived value by its label, a parameter by its meaning and value
    ("hệ số đóng góp của vốn (0,35)"; "1 - b_k" by the meaning of the rest), numbers in the
    Vietnamese way, and "+", "−", "×", "/"."""
    formula = parse_formula(text)
    with_parts = {code for code, part in formula.refs if part != TOTAL}
    return _words(formula.tree, cat, with_parts)[0]


def derived_in_words(cat: Catalogue, code: str) -> str:
    """'Label = formula in words' of a derived value."""
    d = cat.derived_by_code[code]
    return f"{d.label} = {in_words(d.formula, cat)}"


def _words(node: ast.expr, cat: Catalogue, with_parts: set[str]) -> tuple[str, int]:
    """The node in words, with how tightly it binds (to know where parentheses go)."""
    ref = _ref(node)
    if ref is not None:
        return _ref_words(ref, cat, with_parts), _ATOM
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return fmt.plain(node.value), _ATOM
    if isinstance(node, ast.UnaryOp):
        text, prec = _words(node.operand, cat, with_parts)
        text = f"({text})" if prec < _UNARY else text
        return ("−" + text if isinstance(node.op, ast.USub) else text), _UNARY
    if not isinstance(node, ast.BinOp):  # parse_formula refuses anything else
        raise FormulaError(f"biểu thức '{ast.unparse(node)}' không được phép")
    complement = _complement(node, cat)
    if complement is not None:
        return complement, _ATOM
    parts = _parts_sum(node, cat)
    if parts is not None:
        return parts, _ATOM
    prec = _PRECEDENCE[type(node.op)]
    left, left_prec = _words(node.left, cat, with_parts)
    right, right_prec = _words(node.right, cat, with_parts)
    left = f"({left})" if left_prec < prec else left
    right = f"({right})" if right_prec <= prec else right
    return f"{left} {_SYMBOLS[type(node.op)]} {right}", prec


def _ref_words(ref: Ref, cat: Catalogue, with_parts: set[str]) -> str:
    code, part = ref
    if code in cat.parameters:
        value = fmt.plain(cat.parameters[code])
        meaning = PARAMETER_WORDS.get(code)
        return f"{meaning[0]} ({value})" if meaning else value
    if code in cat.derived_by_code:
        return lower_first(cat.derived_by_code[code].label)
    ind = cat.indicator_by_code.get(code)
    if ind is None:  # the catalogue's cross-check reports an unknown code
        return code
    label = lower_first(ind.label)
    if part == TOTAL and code not in with_parts:
        return label
    return f"{label} ({lower_first(cat.part_label(code, part))})"


def _complement(node: ast.BinOp, cat: Catalogue) -> str | None:
    """'1 - b_k' as what it means ("hệ số đóng góp của lao động (0,65)"), or None."""
    if not (isinstance(node.op, ast.Sub) and isinstance(node.left, ast.Constant)
            and node.left.value == 1 and isinstance(node.right, ast.Name)):
        return None
    code = node.right.id
    if code not in cat.parameters or code not in PARAMETER_WORDS:
        return None
    return f"{PARAMETER_WORDS[code][1]} ({fmt.plain(1 - cat.parameters[code])})"


def _parts_sum(node: ast.BinOp, cat: Catalogue) -> str | None:
    """A sum of parts of one indicator as "label (part + part)", or None."""
    terms: list[ast.expr] = []

    def collect(n: ast.expr) -> bool:
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
            return collect(n.left) and collect(n.right)
        terms.append(n)
        return True

    collect(node)
    refs = [_ref(t) for t in terms]
    codes = {r[0] for r in refs if r is not None}
    if (not isinstance(node.op, ast.Add) or None in refs or len(codes) != 1
            or any(r is not None and r[1] == TOTAL for r in refs)):
        return None
    code = codes.pop()
    if code not in cat.indicator_by_code:
        return None
    names = " + ".join(lower_first(cat.part_label(code, r[1])) for r in refs if r is not None)
    return f"{lower_first(cat.indicator_by_code[code].label)} ({names})"
