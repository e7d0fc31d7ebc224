"""Formulas of the catalogue's derived indicators, parsed and evaluated safely.

A formula is arithmetic (``+ - * /``, parentheses, numbers) over references: an indicator code
(``chi_nsdp``), an indicator part (``chi_khcn.total``, ``nv_so_luong.tinh``) or an earlier
derived code. It is parsed with `ast` and walked node by node: nothing is ever `eval`-ed.
Evaluation raises `MissingInput` for a missing reference or a zero denominator.
"""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.catalogue.model import TOTAL

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
