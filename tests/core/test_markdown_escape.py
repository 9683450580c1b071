"""kpis.core.markdown.escape: user text inside Streamlit Markdown shows as typed. What the browser makes of it
is checked in tests/browser/test_user_text_browser.py; here, the escaped form itself."""

from __future__ import annotations

import re

import pytest

from kpis.core.markdown import escape, escape_params

JOINER = "\u2060"


def unescape(md: str) -> str:
    """What CommonMark shows for our escaped text: backslash escapes resolved, joiners invisible."""
    return re.sub(r"\\(.)", r"\1", md).replace(JOINER, "")


@pytest.mark.parametrize(
    "text",
    [
        "![x](http://127.0.0.1:9/p.png).csv",
        "[click](http://evil)",
        ":red[đỏ] :material/home: :smile: :streamlit:",
        "$x^2$ <img src=x> **đậm** _nghiêng_ ~~gạch~~ `mã` # tiêu đề",
        "http://evil.com www.evil.com a@b.vn",
        "a\\b & 5 < 6 | ô |",
    ],
)
def test_escaped_text_reads_back_as_typed_and_keeps_no_markdown(text: str) -> None:
    md = escape(text)
    assert unescape(md) == text
    assert not re.search(r"(?<!\\)[\[\]()*_`<>$~#!|]", md), md  # every special character is escaped
    assert not re.search(r"(?<!\\):(?!\u2060)", md), md  # every colon escaped and followed by the joiner
    assert "http:" not in md and "www." not in md.lower() and "b@" not in md


def test_line_breaks_become_spaces_and_plain_words_are_untouched() -> None:
    assert escape("Bản Na Sang\n\n# x") == "Bản Na Sang \\# x"
    assert escape("Mường Mùn 50%") == "Mường Mùn 50%"
    assert escape_params({"file": "a_b.csv", "rows": 3}) == {"file": "a\\_b\\.csv", "rows": 3}


def test_a_colon_before_a_space_stays_as_typed_so_messages_can_be_found() -> None:
    assert "\u2060" not in escape("bao_cao.csv: đã nhận 1 dòng")
    assert escape(":material/home: x").startswith("\\:\u2060material")
