"""Acceptance wording that mutation testing (issue 18) showed untested: a trailing 验收 and
按职责分工验收 in the middle of the text are wording, never part of a unit's name."""

from __future__ import annotations

import pytest

from domain.places import PlaceSet
from domain.units import UnitParser, parse_acceptance
from onemap import settings


@pytest.fixture(scope="module")
def up():
    return UnitParser(PlaceSet.from_region_json(settings.REGIONS_DIR / "360200" / "region.json"))


@pytest.mark.parametrize(("text", "names", "note"), [
    ("市住建局验收", ["市住建局"], ""),
    ("市住建局、市林业局验收", ["市住建局", "市林业局"], ""),
    ("市住建局按职责分工验收，市林业局", ["市住建局", "市林业局"], "按职责分工验收"),
    ("市住建局按职责分工验收、市林业局验收", ["市住建局", "市林业局"], "按职责分工验收"),
], ids=["one_unit", "two_units", "duty_note_in_the_middle", "duty_note_and_trailing_word"])
def test_acceptance_wording_is_not_a_unit_name(up, text, names, note):
    units, per, got_note = parse_acceptance(text, up)
    assert ([u.name for u in units], per, got_note) == (names, {}, note)


@pytest.mark.parametrize(("text", "units"), [
    ("市 住建局、市林业局", [("市住建局", "360200"), ("市林业局", "360200")]),  # spaces inside a name go
    ("责任单位：〔市住建局〕", [("市住建局", "360200")]),  # brackets left once the label is gone
    ("浮梁县委、人民政府", [("浮梁县委、人民政府", "360222")]),  # committee + 人民政府: one pair
    ("乐平市委、人民政府", [("乐平市委、人民政府", "360281")]),
], ids=["spaces", "label_then_brackets", "county_pair_renmin", "city_level_county_pair_renmin"])
def test_unit_text_cleaning_and_pairs(up, text, units):
    assert [(u.name, u.place_code) for u in up.parse(text)] == units
