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
