"""Places in dedup: the area's name is not a place, the operator's same_places are, and one
vague listing cannot chain two events (average linkage)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.dedup import cluster
from aggregator.dedup.match import candidate_pairs, place_agreement, prepare
from aggregator.errors import ConfigError
from aggregator.settings import from_dict
from tests.dedup.test_dedup import OSLO, PRIORITY, ev

SQUARE = (("Borgen innbyggertorg", "Søndre Borgen 11", "Borgen bibliotek", "Kafé KIME"),)


def together(*records: object, same_places: tuple[tuple[str, ...], ...] = ()) -> list[list[str]]:
    groups = cluster(list(records), PRIORITY, OSLO, same_places=same_places)  # type: ignore[arg-type]
    return [[records[i].source_id for i in g.members] for g in groups if len(g.members) > 1]  # type: ignore[attr-defined]


def test_places_sharing_only_the_area_name_are_different() -> None:
    a = ev("naermiljosentral", "Dugnad", "2027-04-24T10:00", place="Borgen innbyggertorg")
    b = ev("bibliotek", "Dugnad", "2027-04-24T10:00", place="Borgen kunstgress")
    c = ev("kulturskole", "Dugnad", "2027-04-24T10:00", place="Borgen skole")
    assert together(a, b, c) == []


def test_a_room_or_address_added_to_the_same_place_is_the_same_place() -> None:
    a = ev("naermiljosentral", "Strikkekafé", "2027-02-09T18:00", place="Borgen innbyggertorg")
    b = ev(
        "bibliotek",
        "Strikkekafé",
        "2027-02-09T18:00",
        place="Borgen innbyggertorg, møterom 2",
        address="Søndre Borgen 11, 1388 Borgen",
    )
    assert together(a, b) == [["naermiljosentral", "bibliotek"]] or together(a, b) == [
        ["bibliotek", "naermiljosentral"]
    ]


def test_operator_same_places_join_the_library_and_the_square() -> None:
    a = ev("bibliotek", "Babysang", "2027-01-11T11:00", place="Borgen bibliotek")
    b = ev("naermiljosentral", "Babysang", "2027-01-11T11:00", place="Borgen innbyggertorg")
    assert together(a, b) == []  # without the operator's word they are two places
    assert len(together(a, b, same_places=SQUARE)) == 1


def test_same_places_setting_is_validated(tmp_path: Path) -> None:
    s = from_dict(
        {"aggregator": {"same_places": [["Borgen bibliotek", "Borgen innbyggertorg"]]}},
        tmp_path / "settings.toml",
    )
    assert s.same_places == (("Borgen bibliotek", "Borgen innbyggertorg"),)
    with pytest.raises(ConfigError, match=r"aggregator\.same_places: must be a list of lists"):
        from_dict({"aggregator": {"same_places": ["Borgen bibliotek"]}}, tmp_path / "settings.toml")


def test_a_room_without_a_house_says_nothing_against_a_named_place() -> None:
    # the square's own listing writes only the room; the culture school names the house
    concert = ev(
        "kulturskole",
        "Høstkonsert – strykere",
        "2027-10-20T18:00",
        place="Borgen innbyggertorg, salen",
        description="Fiolin- og celloelevene spiller barokk og filmmusikk.",
    )
    room = ev("borgen-manuelt", "Høstkonsert: strykere", "2027-10-20T18:00", place="Storsalen")
    assert len(together(concert, room, same_places=SQUARE)) == 1
    # ...but a named house is a place of its own, and two bare rooms are two rooms
    church = ev("borgen-manuelt", "Høstkonsert: strykere", "2027-10-20T18:00", place="Asker kirke")
    assert together(concert, church, same_places=SQUARE) == []
    gym = ev("naermiljosentral", "Høstkonsert: strykere", "2027-10-20T18:00", place="Gymsalen")
    assert together(room, gym) == []


def test_a_room_without_a_house_is_compared_with_listings_in_a_room_of_that_name() -> None:
    # "Lopis!!" shares no title word with "Loppemarked 2033": only the room brings them together
    market = ev(
        "musikkorps",
        "Loppemarked 2033",
        "2027-09-04T10:00",
        place="Borgen skole, gymsalen",
        description="Borgen skolekorps sitt store høstloppemarked med kafé og loddsalg.",
    )
    manual = ev(
        "borgen-manuelt",
        "Lopis!! Korpset samler inn til uniformer",
        "2027-09-04T10:00",
        place="Gymsalen",
        description="Stort loppemarked med kafé. Kom tidlig!",
    )
    entries = prepare([market, manual], PRIORITY, OSLO)
    assert list(candidate_pairs(entries)) == [(0, 1)]
    assert place_agreement(entries[0], entries[1]) == "same"


def agreement(a: str | None, b: str | None, titles: tuple[str, str] = ("Tur", "Tur")) -> str:
    """``place_agreement`` of two listings of one morning at places ``a`` and ``b``."""
    x, y = prepare(
        [
            ev("dnt-asker", titles[0], "2037-02-18T11:00", place=a),
            ev("aktivitetforalle", titles[1], "2037-02-18T11:00", place=b),
        ],
        PRIORITY,
        OSLO,
    )
    return place_agreement(x, y)


def test_a_meeting_point_or_where_beside_a_place_is_that_place() -> None:
    # "Oppmøte:" says it is a meeting point, the car park is a part of it, Asker the area
    assert agreement("Oppmøte: Semsvannet parkering", "Semsvannet, Asker") == "same"
    # "utenfor kafeen" is outside a café: a room with no house, not a place called "utenfor"
    assert agreement("utenfor kafeen", "Borgen innbyggertorg") == "unknown"
    assert agreement("Oppmøte ved inngangen", "Borgen innbyggertorg") == "unknown"
    # a named house is still its own place
    assert agreement("Oppmøte: Hvalstad stasjon", "Semsvannet, Asker") == "different"


def test_a_floor_or_a_department_is_where_in_the_house() -> None:
    # a room on a floor names no house: it may well be in the library
    assert agreement("Møterommet, 2. etg", "Borgen bibliotek") == "unknown"
    assert agreement("Borgen bibliotek, barneavdelingen", "Borgen bibliotek") == "same"
    assert agreement("Borgen library, ground floor", "Borgen bibliotek") == "same"


def test_all_of_a_place_or_a_school_yard_names_no_other_place() -> None:
    # "hele huset" / "hele torget" is all of some house or square, not a place called "hele"
    assert agreement("hele huset", "Borgen innbyggertorg") == "unknown"
    assert agreement("hele torget", "Søndre Borgen 11, 1388 Borgen") == "unknown"
    # a school yard is a part of some school, like its gym
    assert agreement("skolegården", "Søndre Borgen 9, 1388 Borgen") == "unknown"
    # a named house is still its own place
    assert agreement("hele Holmen grendehus", "Borgen innbyggertorg") == "different"


def test_the_kinds_of_ground_titles_name_tell_two_work_days_apart() -> None:
    pitch, square = "Dugnad på kunstgresset", "Ryddedugnad rundt torget"
    # met outside the main entrance, the title says round the square: not at the pitch
    assert agreement("Borgen kunstgress", "utenfor hovedinngangen", (pitch, square)) == "different"
    # a title that names no ground, or a room, still says nothing
    assert agreement("Borgen kunstgress", None, (pitch, "Dugnad")) == "unknown"
    assert agreement("Borgen kunstgress", "Oppmøte i kafeen", (pitch, "Dugnad")) == "unknown"
    # a square said in the title and the square's name agree ("innbyggertorg" is a square by its
    # head): nothing contradicts
    assert agreement(None, "Borgen innbyggertorg", ("Konsert på torget", "Konsert")) == "unknown"
    # the culture school is an organisation, not a school's grounds
    assert agreement(None, "Borgen kunstgress", ("Kulturskolens åpne dag", "Åpen dag")) == "unknown"


def test_a_place_word_said_as_the_beginning_of_a_longer_one_is_that_place() -> None:
    # "kunstgress" / "kunstgressbane", "Skaugum" / "Skaugumsåsen": one place written two ways
    assert agreement("Borgen kunstgress", "Borgen kunstgressbane, Søndre Borgen, 1388 Borgen") == "same"
    assert agreement("Oppmøte: Skaugum, parkeringen ved Solstad", "Skaugumsåsen, 1387 Asker") == "same"
    # "Borg" (Borgen) is too short a beginning to say "Borgenhallen"
    assert agreement("Borgenhallen", "Borgen kunstgress") == "different"


def test_a_compound_room_or_a_way_there_names_no_other_house() -> None:
    # rooms by their endings: "-rommet", "-salen", "-stua", "-området", "-plassen", "-hjørnet"
    for room in ("verkstedrommet", "Storstua", "dansesalen", "Uteområdet", "ungdomshjørnet"):
        assert agreement(room, "Borgen innbyggertorg") == "unknown", room
    # a start, a way there or a condition beside the place is that place
    assert agreement("Start: Borgen innbyggertorg", "Søndre Borgen 11, 1388 Borgen") == "same"
    assert agreement("møt opp ved hovedinngangen", "Borgen innbyggertorg") == "unknown"
    assert agreement("Borgen innbyggertorg (samkjøring)", "Borgen innbyggertorg") == "same"
    # "plassen foran torget" is an open place before some house
    assert agreement("plassen foran torget", "Søndre Borgen 11, 1388 Borgen") == "unknown"
    # two different rooms are still two places, and a named house its own
    assert agreement("verkstedrommet", "dansesalen") == "different"
    assert agreement("Holmen grendehus, storstua", "Borgen innbyggertorg") == "different"


def test_a_listing_that_fits_two_work_days_does_not_chain_the_pitch_to_the_square() -> None:
    # The pitch's and the square's work days, one Saturday at ten; the neighbourhood centre's
    # bare "Dugnad" outside fits both, but the pitch and the square are two kinds of ground.
    records = [
        ev("borgen-il", "Dugnad på Borgen kunstgress", "2041-04-06T10:00", place="Borgen kunstgress"),
        ev(
            "aktivitetforalle",
            "Vårdugnad på Borgen innbyggertorg",
            "2041-04-06T10:00",
            place="Søndre Borgen 11",
        ),
        ev(
            "borgen-manuelt", "Vårdugnad på torget 🌷", "2041-04-06T10:00", place="møt opp ved hovedinngangen"
        ),
        ev("naermiljosentral", "Dugnad", "2041-04-06T10:00", place="Uteområdet"),
    ]
    found = cluster(records, PRIORITY, OSLO, same_places=SQUARE)
    groups = [sorted(records[i].source_id for i in g.members) for g in found]
    pitch = next(g for g in groups if "borgen-il" in g)
    assert "aktivitetforalle" not in pitch and "borgen-manuelt" not in pitch
    square = next(g for g in groups if "aktivitetforalle" in g)
    assert "borgen-manuelt" in square


def test_only_a_phrase_of_place_in_a_title_says_its_ground() -> None:
    # "ungdomsskole" says who the homework help is for, not that it is at a school
    assert agreement(
        "2. etg", "Borgen innbyggertorg, 2. etasje", ("Leksehjelp ungdomsskole", "Leksehjelp")
    ) == ("unknown")
    # "på torget" says where: not at the school
    assert agreement(None, "Borgen skole", ("Luciatog på torget", "Luciatog")) == "different"


def test_a_room_may_be_in_the_kind_of_house_another_names() -> None:
    assert agreement("Møterommet, 2. etasje", "biblioteket, 2. etg") == "unknown"
    assert agreement("kafeen", "storsalen") == "different"
    assert agreement("biblioteket", "skolen") == "different"
