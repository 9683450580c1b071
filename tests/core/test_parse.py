"""Parsers for what people type in a count, year or quarter cell, and the name key for places."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from kpis.core.parse import ParseError, parse_count, parse_quarter, parse_year
from kpis.core.text import clean_display, name_key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.200", 1200),  # Vietnamese thousands separator
        ("1 200", 1200),  # space as thousands separator
        ("1\u00a0200", 1200),  # non-breaking space, as Excel exports it
        ("1,200", 1200),  # English thousands separator
        ("1.200.000", 1_200_000),
        (1200.0, 1200),  # a numeric Excel cell arrives as a float
        (1200, 1200),
        ("1200", 1200),
        (" 1200 ", 1200),
        ("12,0", 12),  # a zero decimal part is still a whole number
        ("0", 0),
        (0, 0),
    ],
)
def test_parse_count_accepts(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12,5", "count_not_whole"),
        ("12.5", "count_not_whole"),
        (12.5, "count_not_whole"),
        ("-3", "count_negative"),
        (-3, "count_negative"),
        ("abc", "count_not_number"),
        ("12 người", "count_not_number"),
        (True, "count_not_number"),
        (float("nan"), "count_not_number"),
        ("", "required"),
        ("   ", "required"),
        (None, "required"),
    ],
)
def test_parse_count_refuses(value, code):
    with pytest.raises(ParseError) as err:
        parse_count(value)
    assert err.value.code == code


def test_parse_count_refusal_quotes_the_value():
    with pytest.raises(ParseError) as err:
        parse_count(" 12,5 ")
    assert err.value.params == {"value": "12,5"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2025, 2025),
        ("2025", 2025),
        (2025.0, 2025),
        ("Năm 2025", 2025),
        ("năm 2026", 2026),
        (" 2025 ", 2025),
        ("2025.0", 2025),
        (dt.date(2025, 9, 30), 2025),  # a date cell: its year
        (2024, 2024),  # the low end of the range
        (2035, 2035),  # the high end of the range
    ],
)
def test_parse_year_accepts(value, expected):
    assert parse_year(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (2040, "year_range"),
        ("2040", "year_range"),
        (2023, "year_range"),
        ("20a5", "year_invalid"),
        (2025.5, "year_invalid"),
        ("25", "year_invalid"),
        (True, "year_invalid"),
        ("", "required"),
        (None, "required"),
    ],
)
def test_parse_year_refuses(value, code):
    with pytest.raises(ParseError) as err:
        parse_year(value)
    assert err.value.code == code


def test_parse_year_range_names_the_bounds():
    with pytest.raises(ParseError) as err:
        parse_year(2040, low=2024, high=2035)
    assert err.value.params == {"value": "2040", "low": 2024, "high": 2035}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        ("Q3", 3),
        ("Quý III", 3),
        ("III", 3),
        ("quý 1", 1),
        ("q4", 4),
        (4.0, 4),
        ("Quy 2", 2),
        ("Quý IV", 4),
        ("ii", 2),
        ("3", 3),
        (" Q 2 ", 2),
    ],
)
def test_parse_quarter_accepts(value, expected):
    assert parse_quarter(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (5, "quarter_invalid"),
        ("Q5", "quarter_invalid"),
        ("V", "quarter_invalid"),
        ("Quý V", "quarter_invalid"),
        (0, "quarter_invalid"),
        (2.5, "quarter_invalid"),
        ("first", "quarter_invalid"),
        (True, "quarter_invalid"),
        ("", "required"),
        (None, "required"),
    ],
)
def test_parse_quarter_refuses(value, code):
    with pytest.raises(ParseError) as err:
        parse_quarter(value)
    assert err.value.code == code


MUONG_MUN = "Mường Mùn"


@pytest.mark.parametrize(
    "spelling",
    [
        "Xã Mường Mùn",
        "muong mun",
        "MƯỜNG  MÙN",
        unicodedata.normalize("NFD", "Xã Mường Mùn"),
        unicodedata.normalize("NFD", "Mường Mùn"),
        " xa  Muong Mun ",
        "Xã\u00a0Mường Mùn",
    ],
    ids=["prefixed", "ascii", "upper-double-space", "nfd-prefixed", "nfd", "ascii-prefixed-spaces", "nbsp"],
)
def test_name_key_folds_spellings_of_one_commune(spelling):
    assert name_key(spelling, strip_prefix=True) == name_key(MUONG_MUN, strip_prefix=True)


def test_name_key_keeps_distinct_names_apart():
    assert name_key("Mường Mùn", strip_prefix=True) != name_key("Mường Ảng", strip_prefix=True)


def test_name_key_strips_prefix_only_when_asked():
    assert name_key("Xã Mường Mùn") != name_key("Mường Mùn")
    assert name_key("Xã Mường Mùn", strip_prefix=True) == name_key("Mường Mùn")


def test_name_key_d_with_stroke_folds_to_d():
    assert name_key("Điện Biên") == name_key("dien bien")


def test_clean_display_keeps_diacritics_in_composed_form():
    decomposed = unicodedata.normalize("NFD", "Bản  Na Sang ")
    assert clean_display(decomposed) == "Bản Na Sang"
    assert unicodedata.is_normalized("NFC", clean_display(decomposed))
