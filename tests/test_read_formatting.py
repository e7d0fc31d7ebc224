"""How a narrative's text looks (read/formatting.py): run properties layered from paragraph
style, character style and the run; list kinds from a numbering part; runs for the text the
reader kept. Each case is WordprocessingML written by hand."""

from __future__ import annotations

from docx.oxml.parser import parse_xml

from pipeline.read.formatting import PLAIN, Looks, numbering, runs, style_defs
from pipeline.read.model import TextRun

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _looks(styles: str = "", lists: str = "") -> Looks:
    return Looks(style_defs(parse_xml(f"<w:styles {W}>{styles}</w:styles>")),
                 numbering(parse_xml(f"<w:numbering {W}>{lists}</w:numbering>")))


def _rpr(props: str):
    return parse_xml(f"<w:rPr {W}>{props}</w:rPr>")


def _ppr(props: str):
    return parse_xml(f"<w:pPr {W}>{props}</w:pPr>")


def test_the_run_says_last_then_its_character_style_then_its_paragraph_style():
    looks = _looks(
        '<w:style w:type="paragraph" w:styleId="Base"><w:rPr><w:i/><w:u w:val="single"/>'
        '</w:rPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="Quote"><w:basedOn w:val="Base"/><w:rPr>'
        '<w:u w:val="none"/></w:rPr></w:style>'
        '<w:style w:type="character" w:styleId="Strong"><w:rPr><w:b/>'
        '<w:vertAlign w:val="superscript"/></w:rPr></w:style>')
    assert looks.run(None, "") == PLAIN
    assert looks.run(None, "Quote") == (False, True, False, "")  # its base's italic
    assert looks.run(_rpr('<w:rStyle w:val="Strong"/>'), "Quote") == (True, True, False,
                                                                        "super")
    assert looks.run(_rpr('<w:rStyle w:val="Strong"/><w:b w:val="0"/><w:i w:val="off"/>'
                          '<w:vertAlign w:val="baseline"/>'), "Quote") == PLAIN
    assert looks.run(_rpr('<w:u w:val="wave"/><w:rStyle w:val="Missing"/>'), "") == (
        False, False, True, "")


def test_styles_based_on_each_other_in_a_loop_end():
    looks = _looks('<w:style w:styleId="A"><w:basedOn w:val="B"/><w:rPr><w:b/></w:rPr>'
                   '</w:style><w:style w:styleId="B"><w:basedOn w:val="A"/><w:rPr><w:i/>'
                   "</w:rPr></w:style>")
    assert looks.run(None, "A") == (True, True, False, "")


LISTS = (
    '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:numFmt w:val="upperRoman"/></w:lvl><w:lvl w:ilvl="2">'
    '<w:numFmt w:val="none"/></w:lvl><w:lvl w:ilvl="3"/></w:abstractNum>'
    '<w:num w:numId="4"><w:abstractNumId w:val="1"/></w:num>'
    '<w:num w:numId="5"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0">'
    '<w:startOverride w:val="3"/><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl>'
    "</w:lvlOverride></w:num>")


def test_a_list_level_is_bulleted_numbered_or_no_list_by_its_number_format():
    lists = numbering(parse_xml(f"<w:numbering {W}>{LISTS}</w:numbering>"))
    assert [lists.kind("4", level) for level in range(5)] == [
        "bullet", "number", "", "number", ""]  # no format stated: decimal; no level: none
    assert lists.kind("5", 0) == "number"  # the list overrides its level's format
    assert lists.kind("6", 0) == ""


def test_a_paragraph_is_a_list_item_by_its_numbering_or_its_styles():
    looks = _looks('<w:style w:type="paragraph" w:styleId="L"><w:pPr><w:numPr>'
                   '<w:ilvl w:val="1"/><w:numId w:val="4"/></w:numPr></w:pPr></w:style>'
                   '<w:style w:type="paragraph" w:styleId="M"><w:basedOn w:val="L"/></w:style>',
                   LISTS)
    assert looks.list_item(None, "") == ("", 0, 0)
    assert looks.list_item(_ppr('<w:numPr><w:ilvl w:val="0"/><w:numId w:val="4"/></w:numPr>'),
                           "") == ("bullet", 0, 4)
    assert looks.list_item(None, "M") == ("number", 1, 4)  # from the style it is based on
    assert looks.list_item(_ppr('<w:numPr><w:ilvl w:val="0"/></w:numPr>'), "M") == (
        "bullet", 0, 4)
    assert looks.list_item(_ppr('<w:numPr><w:numId w:val="0"/></w:numPr>'), "M") == (
        "", 0, 0)  # numbering removed from a list style's paragraph
    assert looks.list_item(_ppr('<w:numPr><w:ilvl w:val="3"/><w:numId w:val="4"/>'
                                "</w:numPr>"), "") == ("number", 3, 4)
    assert looks.list_item(_ppr('<w:numPr><w:ilvl w:val="99"/><w:numId w:val="4"/>'
                                "</w:numPr>"), "") == ("", 0, 0)  # level 8, not defined


BOLD = (True, False, False, "")


def test_runs_keep_each_look_when_the_pieces_make_the_kept_text():
    assert runs([("  Chi ", PLAIN), ("tăng", BOLD), (" đều", BOLD), (" ", PLAIN)],
                "Chi tăng đều") == (TextRun("Chi "), TextRun("tăng đều", bold=True))
    assert runs([("a\x01b", PLAIN)], "a b") == (TextRun("a b"),)  # control char: a space
    assert runs([(" ", BOLD)], "") == ()


def test_runs_are_one_when_the_kept_text_is_not_the_pieces():
    # cut at its limit, or a legacy encoding converted across pieces: one run, in the look
    # the pieces share (plain when they differ)
    assert runs([("xxxx", BOLD), ("yyyy", BOLD)], "xxxxyy") == (TextRun("xxxxyy", bold=True),)
    assert runs([("xxxx", BOLD), ("yyyy", PLAIN)], "xxxxyy") == (TextRun("xxxxyy"),)
