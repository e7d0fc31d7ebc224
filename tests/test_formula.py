"""Unit tests of pipeline/catalogue/formula.py: parse_formula (allowed syntax, references in
order, FormulaError on anything else), evaluate (arithmetic, MissingInput) and in_words (every
derived formula of the real catalogue as the chapter prints it, written out by hand)."""

from __future__ import annotations

import ast

import pytest

from pipeline.catalogue.formula import (
    PARAMETER_WORDS,
    Formula,
    FormulaError,
    MissingInput,
    derived_in_words,
    evaluate,
    in_words,
    lower_first,
    parse_formula,
)
from pipeline.catalogue.model import Catalogue


def _lookup(values: dict[tuple[str, str], float | None]):
    return lambda ref: values.get(ref)


# --- parse_formula: what is allowed ----------------------------------------------------------

def test_parse_keeps_the_text_and_lists_refs_in_order_of_appearance():
    f = parse_formula("chi_khcn.total / chi_nsdp * 100")
    assert isinstance(f, Formula)
    assert f.text == "chi_khcn.total / chi_nsdp * 100"
    assert f.refs == (("chi_khcn", "total"), ("chi_nsdp", "total"))


def test_a_bare_code_is_the_total_part_and_a_dotted_code_names_its_part():
    f = parse_formula("nv_so_luong.tinh + nv_so_luong")
    assert f.refs == (("nv_so_luong", "tinh"), ("nv_so_luong", "total"))


def test_refs_follow_the_written_order_through_parentheses_and_unary_minus():
    f = parse_formula("grdp_tang - b_k * von_tang - (1 - b_k) * lao_dong_tang")
    assert f.refs == (("grdp_tang", "total"), ("b_k", "total"), ("von_tang", "total"),
                      ("b_k", "total"), ("lao_dong_tang", "total"))


def test_a_reference_used_twice_is_listed_twice():
    assert parse_formula("a + a").refs == (("a", "total"), ("a", "total"))


@pytest.mark.parametrize("text", ["100", "2.5", "1e3", "-a", "+a", "-(a + b) / 4",
                                  "(((a)))", "a - -b"])
def test_numbers_signs_and_parentheses_are_allowed(text: str):
    parse_formula(text)  # no FormulaError


def test_a_formula_of_numbers_only_has_no_refs():
    assert parse_formula("(1 + 2) * 3").refs == ()


def test_the_same_text_is_parsed_once():
    assert parse_formula("x / y") is parse_formula("x / y")


# --- parse_formula: what is refused ------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "abs(a)",  # a call
    "__import__('os').system('ls')",
    "a ** 2",  # power
    "a % 2",
    "a // 2",
    "a < b",  # comparison
    "a if b else c",
    "a.b.c",  # attribute of an attribute
    "a[0]",
    "'text'",
    "True",
    "[a, b]",
    "lambda: 1",
    "a and b",
])
def test_anything_but_arithmetic_over_codes_is_a_formula_error(text: str):
    with pytest.raises(FormulaError) as e:
        parse_formula(text)
    assert str(e.value).startswith(f"công thức '{text}' dùng phép toán không được phép")
    assert str(e.value).endswith("chỉ dùng + - * / và mã chỉ tiêu")


def test_the_refused_node_is_named_in_the_message():
    with pytest.raises(FormulaError) as e:
        parse_formula("chi_nsdp + abs(chi_khcn)")
    assert str(e.value) == ("công thức 'chi_nsdp + abs(chi_khcn)' dùng phép toán không được "
                            "phép ('abs(chi_khcn)'); chỉ dùng + - * / và mã chỉ tiêu")


@pytest.mark.parametrize("text", ["a +", "", "(a", "a b", "a; b", "1 = 2"])
def test_bad_syntax_is_a_formula_error_naming_the_text(text: str):
    with pytest.raises(FormulaError) as e:
        parse_formula(text)
    assert str(e.value) == f"công thức '{text}' sai cú pháp"


def test_formula_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_formula("a ** 2")


# --- evaluate --------------------------------------------------------------------------------

def test_evaluate_a_share_by_hand():
    tree = parse_formula("chi_khcn.total / chi_nsdp * 100").tree
    values = {("chi_khcn", "total"): 150.0, ("chi_nsdp", "total"): 10_000.0}
    assert evaluate(tree, _lookup(values)) == pytest.approx(1.5)


def test_evaluate_follows_operator_precedence_and_parentheses():
    values = {("a", "total"): 2.0, ("b", "total"): 3.0, ("c", "total"): 4.0}
    assert evaluate(parse_formula("a + b * c").tree, _lookup(values)) == 14.0
    assert evaluate(parse_formula("(a + b) * c").tree, _lookup(values)) == 20.0
    assert evaluate(parse_formula("a - b - c").tree, _lookup(values)) == -5.0
    assert evaluate(parse_formula("c / a / a").tree, _lookup(values)) == 1.0


def test_evaluate_unary_signs():
    values = {("a", "total"): 2.5}
    assert evaluate(parse_formula("-a").tree, _lookup(values)) == -2.5
    assert evaluate(parse_formula("+a").tree, _lookup(values)) == 2.5
    assert evaluate(parse_formula("1 - -a").tree, _lookup(values)) == 3.5


def test_evaluate_a_constant_is_a_float():
    result = evaluate(parse_formula("7").tree, _lookup({}))
    assert result == 7.0
    assert isinstance(result, float)


def test_evaluate_tfp_growth_by_hand():
    # 8 - 0.35 * 10 - 0.65 * 2 = 8 - 3.5 - 1.3 = 3.2
    values = {("grdp_tang", "total"): 8.0, ("b_k", "total"): 0.35,
              ("von_tang", "total"): 10.0, ("lao_dong_tang", "total"): 2.0}
    tree = parse_formula("grdp_tang - b_k * von_tang - (1 - b_k) * lao_dong_tang").tree
    assert evaluate(tree, _lookup(values)) == pytest.approx(3.2)


def test_evaluate_asks_the_lookup_for_each_part():
    asked: list[tuple[str, str]] = []

    def lookup(ref: tuple[str, str]) -> float:
        asked.append(ref)
        return 1.0

    evaluate(parse_formula("nv_so_luong.tinh + nv_so_luong.co_so").tree, lookup)
    assert asked == [("nv_so_luong", "tinh"), ("nv_so_luong", "co_so")]


def test_a_missing_reference_raises_missing_input_naming_it():
    tree = parse_formula("chi_khcn.total / chi_nsdp * 100").tree
    with pytest.raises(MissingInput) as e:
        evaluate(tree, _lookup({("chi_khcn", "total"): 150.0}))
    assert e.value.ref == ("chi_nsdp", "total")
    assert e.value.zero_division is False


def test_a_zero_value_is_not_missing():
    assert evaluate(parse_formula("a * 3").tree, _lookup({("a", "total"): 0.0})) == 0.0


def test_a_zero_denominator_raises_missing_input_naming_the_denominator():
    tree = parse_formula("chi_khcn.total / chi_nsdp").tree
    values = {("chi_khcn", "total"): 150.0, ("chi_nsdp", "total"): 0.0}
    with pytest.raises(MissingInput) as e:
        evaluate(tree, _lookup(values))
    assert e.value.ref == ("chi_nsdp", "total")
    assert e.value.zero_division is True


def test_a_zero_denominator_that_is_an_expression_names_no_reference():
    tree = parse_formula("a / (b - b)").tree
    with pytest.raises(MissingInput) as e:
        evaluate(tree, _lookup({("a", "total"): 1.0, ("b", "total"): 4.0}))
    assert e.value.ref == ("", "")
    assert e.value.zero_division is True


def test_division_by_a_literal_zero_is_missing_input_too():
    with pytest.raises(MissingInput) as e:
        evaluate(parse_formula("a / 0").tree, _lookup({("a", "total"): 1.0}))
    assert e.value.zero_division is True


def test_evaluate_refuses_a_tree_that_parse_formula_would_refuse():
    tree = ast.parse("abs(a)", mode="eval").body
    with pytest.raises(FormulaError) as e:
        evaluate(tree, _lookup({("a", "total"): 1.0}))
    assert str(e.value) == ("biểu thức 'abs(a)' không được phép; chỉ dùng + - * / và mã chỉ "
                            "tiêu")


# --- in_words: formulas as the chapter prints them --------------------------------------------

GRDP = "tốc độ tăng GRDP (giá so sánh)"
CAPITAL = "tốc độ tăng vốn sản xuất (giá so sánh)"
LABOUR = "tốc độ tăng lao động đang làm việc"
PROJECTS = "số dự án đầu tư được thẩm định công nghệ theo trình độ"
DERIVED_IN_WORDS = {
    "ty_le_chi_khcn": "Tỷ lệ chi KH&CN trong tổng chi NSĐP = chi ngân sách cho KH&CN / tổng "
                      "chi ngân sách địa phương × 100",
    "chenh_lech_muc_2pct": "So với mức 2% = tỷ lệ chi KH&CN trong tổng chi NSĐP − 2",
    "tang_tfp": f"Tốc độ tăng TFP = {GRDP} − hệ số đóng góp của vốn (0,35) × {CAPITAL} − hệ "
                f"số đóng góp của lao động (0,65) × {LABOUR}",
    "dong_gop_von": f"Đóng góp của vốn = hệ số đóng góp của vốn (0,35) × {CAPITAL} / {GRDP} × "
                    "100",
    "dong_gop_lao_dong": f"Đóng góp của lao động = hệ số đóng góp của lao động (0,65) × "
                         f"{LABOUR} / {GRDP} × 100",
    "dong_gop_tfp": f"Đóng góp của TFP = tốc độ tăng TFP / {GRDP} × 100",
    "ty_le_cn_tien_tien": f"Tỷ lệ dự án có công nghệ tiên tiến trở lên = {PROJECTS} (công "
                          f"nghệ cao + tiên tiến) / {PROJECTS} (tổng số) × 100",
}


def test_every_derived_formula_of_the_catalogue_has_its_words_here(cat: Catalogue):
    assert [d.code for d in cat.derived] == list(DERIVED_IN_WORDS)


@pytest.mark.parametrize("code", list(DERIVED_IN_WORDS))
def test_a_derived_formula_in_words(cat: Catalogue, code: str):
    assert derived_in_words(cat, code) == DERIVED_IN_WORDS[code]


@pytest.mark.parametrize("code", list(DERIVED_IN_WORDS))
def test_no_code_is_left_in_the_words(cat: Catalogue, code: str):
    text = derived_in_words(cat, code)
    assert [c for c in ("_", "*", ".total") if c in text] == []


def test_every_parameter_of_the_catalogue_has_its_meaning(cat: Catalogue):
    assert set(cat.parameters) <= set(PARAMETER_WORDS)


def test_a_part_is_written_after_its_indicator_and_the_total_alone_when_no_part_is_named(
        cat: Catalogue):
    assert in_words("chi_khcn.dtpt / chi_khcn.total * 100", cat) == (
        "chi ngân sách cho KH&CN (chi đầu tư phát triển) / chi ngân sách cho KH&CN (tổng số) "
        "× 100")
    assert in_words("chi_khcn / chi_nsdp", cat) == (
        "chi ngân sách cho KH&CN / tổng chi ngân sách địa phương")


def test_parentheses_stay_where_the_order_of_operations_needs_them(cat: Catalogue):
    assert in_words("(chi_nsdp - chi_khcn) / 2", cat) == (
        "(tổng chi ngân sách địa phương − chi ngân sách cho KH&CN) / 2")
    assert in_words("chi_nsdp - (chi_khcn - 1.5)", cat) == (
        "tổng chi ngân sách địa phương − (chi ngân sách cho KH&CN − 1,5)")
    assert in_words("chi_nsdp / (chi_khcn * 2)", cat) == (
        "tổng chi ngân sách địa phương / (chi ngân sách cho KH&CN × 2)")
    assert in_words("-(chi_nsdp + 1000)", cat) == "−(tổng chi ngân sách địa phương + 1.000)"


def test_a_sum_with_other_terms_than_parts_of_one_indicator_keeps_each_term(cat: Catalogue):
    assert in_words("(chi_khcn.dtpt + chi_nsdp) * 2", cat) == (
        "(chi ngân sách cho KH&CN (chi đầu tư phát triển) + tổng chi ngân sách địa phương) × 2")


def test_one_minus_a_parameter_is_its_meaning_only_when_written_so(cat: Catalogue):
    assert in_words("(1 - b_k) * 100", cat) == "hệ số đóng góp của lao động (0,65) × 100"
    assert in_words("(2 - b_k) * 100", cat) == "(2 − hệ số đóng góp của vốn (0,35)) × 100"


def test_a_parameter_without_words_is_its_value(cat: Catalogue):
    other = cat.model_copy(update={"parameters": {**cat.parameters, "he_so_moi": 1.25}})
    assert in_words("he_so_moi * chi_nsdp", other) == "1,25 × tổng chi ngân sách địa phương"
    assert in_words("(1 - he_so_moi) * 2", other) == "(1 − 1,25) × 2"


@pytest.mark.parametrize(("label", "inside"), [
    ("Tổng chi ngân sách địa phương", "tổng chi ngân sách địa phương"),
    ("Đóng góp của TFP", "đóng góp của TFP"),
    ("GRDP bình quân", "GRDP bình quân"),
    ("KH&CN cơ sở", "KH&CN cơ sở"),
    ("tỷ lệ", "tỷ lệ"),
    ("A", "A"),
])
def test_lower_first_keeps_abbreviations(label: str, inside: str):
    assert lower_first(label) == inside
