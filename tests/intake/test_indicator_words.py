"""Indicators named in words, as forms write them: one fit is the indicator, two are refused, none is unknown."""

from __future__ import annotations

import pytest

from kpis.catalog.model import default_catalog
from kpis.intake.indicator_words import match_indicator


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("citizen_reach", "citizen_reach"),
        ("Người dân được tiếp cận", "citizen_reach"),  # the catalog's short name
        ("Người dân được tiếp cận thông tin", "citizen_reach"),
        ("NGƯỜI DÂN ĐƯỢC TIẾP CẬN THÔNG TIN VỀ NQ57", "citizen_reach"),
        ("Tỷ lệ người dân tiếp cận thông tin định hướng về KH, CN, ĐMST và CĐS qua hệ thống thông tin cơ sở", "citizen_reach"),
        ("CBCCVC được phổ biến NQ57", "officials_informed"),
        ("Cán bộ, công chức, viên chức được tuyên truyền Nghị quyết 57", "officials_informed"),
        ("Cán bộ làm công tác truyền thông được đào tạo, bồi dưỡng kỹ năng truyền thông số", "staff_digital_training"),
        ("Nhiệm vụ KH&CN được truyền thông", "st_tasks_communicated"),
        ("Cơ quan có chuyên mục NQ57", "media_units_with_column"),
    ],
)
def test_a_name_in_words_finds_its_indicator(text: str, code: str) -> None:
    assert match_indicator(default_catalog(), text).code == code


def test_two_equal_fits_are_ambiguous_and_named() -> None:
    found = match_indicator(default_catalog(), "Đơn vị")
    assert found.code is None and set(found.candidates) == {"media_units_with_column", "units_with_plan"}


@pytest.mark.parametrize("text", ["Số hộ gia đình được sử dụng điện lưới", "citizen_reech", "Tổng số"])
def test_a_name_that_fits_none_is_unknown(text: str) -> None:
    found = match_indicator(default_catalog(), text)
    assert found.code is None and (found.candidates == () or len(found.candidates) == len(default_catalog().indicators))
