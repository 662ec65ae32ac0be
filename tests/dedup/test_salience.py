"""Issue 4 third follow-up: weighted word evidence at one place and start, the descriptions, the
lexicon file and the operator's same_words.

Listings at the square at one time are mostly one event told by several sources; the rule may
only take them together when the words they share are telling and nothing contradicts them
(another audience, another proper name, another organiser). Times are Europe/Oslo wall clock.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from anyascii import anyascii

from aggregator.dedup import cluster
from aggregator.dedup.keys import CONCEPTS, PHRASES, concept_tokens, title_tokens
from aggregator.dedup.salience import Weights, likeness, proper_words, shared_weight
from aggregator.errors import ConfigError
from aggregator.settings import from_dict
from tests.dedup.test_dedup import OSLO, PRIORITY, ev, verdict
from tests.dedup.test_places import together

NM = "Borgen nærmiljøsentral"


def words(title: str) -> frozenset[str]:
    return frozenset(concept_tokens(title_tokens(title)))


def test_rare_words_weigh_more_than_common_ones_and_a_series_counts_once() -> None:
    titles = [("sondagstur", "vardasen"), ("sondagstur", "kolsas"), ("sondagstur",), ("strikkekafe",)]
    weight = Weights(titles)
    assert weight("vardasen") > weight("sondagstur")
    assert weight("ukjent") > weight("vardasen")  # a word no title has weighs the most


def test_word_likeness_keeps_one_activity_and_tells_two_apart() -> None:
    assert likeness("strikkekafe", frozenset(), frozenset({"strikking", "prat"})) == 0.8
    assert likeness("paskeverksted", frozenset(), frozenset({"paskepyntverksted"})) == 1.0
    assert likeness("reparasjonskafe", frozenset(), frozenset({"reparer"})) == 0.8
    # a shared modifier with two different heads is two activities
    assert likeness("seniordans", frozenset(), frozenset({"seniortrim"})) == 0.0
    assert likeness("strikkekafe", frozenset(), frozenset({"sprakkafe"})) == 0.0


def test_proper_names_are_capitalised_words_inside_the_title() -> None:
    assert proper_words("Søndagstur til Vardåsen") == {"vardasen"}
    assert proper_words("Fotball: Borgen IL mot Heggedal") >= {"heggedal", "il"}
    # the first word, the word after a colon, and an English title's kind words are no names
    assert proper_words("Strikkekafé: Ta med strikketøyet") == frozenset()
    assert "norsk" not in proper_words("Book club in easy Norwegian")


def test_shared_weight_reads_the_other_listings_description() -> None:
    weight = Weights([("fastelavnsfest",), ("sla", "katta", "ut", "tonna")])
    a, b = words("Fastelavnsfest"), words("Slå katta ut av tønna!")
    alone, _, _ = shared_weight(a, b, weight)
    desc = frozenset(concept_tokens(title_tokens("Årets fastelavnsfest på torget: kom utkledd!")))
    told, _, _ = shared_weight(a, b, weight, desc_b=desc)
    assert alone == 0.0 and told > alone


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("husflidslag", "Strikkekafé"), ("aktivitetforalle", "Strikking og prat")),
        (("bibliotek", "Påskeverksted for barn"), ("naermiljosentral", "Påskepynt-verksted")),
        (("dnt-asker", "Søndagstur til Vardåsen"), ("frivilligsentral", "Sunday hike to Vardåsen")),
        (("naermiljosentral", "Yoga på dagtid"), ("aktivitetforalle", "Rolig yoga på dagtid for voksne")),
        (("frivilligsentral", "Reparasjonskafé"), ("naermiljosentral", "Repair café – fix your bike")),
    ],
)
def test_one_event_told_in_other_words_at_one_place_and_start_matches(
    first: tuple[str, str], second: tuple[str, str]
) -> None:
    a = ev(first[0], first[1], "2028-03-15T17:00", place=NM)
    b = ev(second[0], second[1], "2028-03-15T17:00", place=NM)
    assert verdict(a, b) is not None


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # another audience or level
        (("naermiljosentral", "Pepperkakebaking for barn"), ("bibliotek", "Pepperkakebaking for seniorer")),
        (("aktivitetforalle", "Yoga for nybegynnere"), ("frivilligsentral", "Yoga for viderekommende")),
        # only the level is shared
        (("aktivitetforalle", "Truger for nybegynnere"), ("bibliotek", "Skismøring for nybegynnere")),
        # another proper name: two tours leave the square at ten
        (("dnt-asker", "Søndagstur til Vardåsen"), ("borgen-nyheter", "Søndagstur til Skaugumsåsen")),
        # another organiser
        (("borgen-il", "Årsmøte i Borgen IL"), ("husflidslag", "Årsmøte i Asker husflidslag")),
        # one modifier, two activities; one head, two activities
        (("frivilligsentral", "Seniordans"), ("naermiljosentral", "Seniortrim")),
        (("husflidslag", "Strikkekafé"), ("frivilligsentral", "Språkkafé")),
    ],
)
def test_near_misses_at_one_place_and_start_stay_apart(
    first: tuple[str, str], second: tuple[str, str]
) -> None:
    a = ev(first[0], first[1], "2028-03-15T18:00", place=NM)
    b = ev(second[0], second[1], "2028-03-15T18:00", place=NM)
    assert verdict(a, b) is None


def test_weak_evidence_needs_the_same_start_or_place() -> None:
    a = ev("husflidslag", "Strikkekafé", "2028-01-31T18:00", place=NM)
    assert verdict(a, ev("aktivitetforalle", "Strikking og prat", "2028-01-31T18:00", place=NM)) is not None
    # 45 minutes later is another sitting; at the school it is another place
    assert verdict(a, ev("aktivitetforalle", "Strikking og prat", "2028-01-31T18:45", place=NM)) is None
    assert (
        verdict(a, ev("aktivitetforalle", "Strikking og prat", "2028-01-31T18:00", place="Borgen skole"))
        is None
    )


def test_operator_same_words_join_a_regional_paraphrase() -> None:
    # a local custom the shipped lexicon cannot know (the square's yearly bazaar is "the lottery")
    a = ev("borgen-manuelt", "Basar", "2028-02-27T12:00")
    b = ev("borgen-nyheter", "Kakelotteri på torget!", "2028-02-27T12:00")
    plain = cluster([a, b], PRIORITY, OSLO)
    taught = cluster([a, b], PRIORITY, OSLO, same_words=(("basar", "kakelotteri"),))
    assert len(plain) == 2 and len(taught) == 1


def test_same_words_setting_is_validated(tmp_path: Path) -> None:
    s = from_dict({"aggregator": {"same_words": [["fastelavn", "tønnefest"]]}}, tmp_path / "settings.toml")
    assert s.same_words == (("fastelavn", "tønnefest"),)
    with pytest.raises(ConfigError, match=r"aggregator\.same_words\[0\]\[1\]: 'slå katta' must be one word"):
        from_dict({"aggregator": {"same_words": [["fastelavn", "slå katta"]]}}, tmp_path / "settings.toml")
    with pytest.raises(ConfigError, match=r"aggregator\.same_words\[0\]: needs at least two words"):
        from_dict({"aggregator": {"same_words": [["fastelavn"]]}}, tmp_path / "settings.toml")
    with pytest.raises(ConfigError, match=r"aggregator\.same_words: must be a list of lists"):
        from_dict({"aggregator": {"same_words": "fastelavn"}}, tmp_path / "settings.toml")


def test_the_shipped_lexicon_is_written_as_the_matcher_sees_words() -> None:
    path = Path(__file__).resolve().parents[2] / "aggregator" / "dedup" / "lexicon.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert len(raw["concepts"]) == len(CONCEPTS) and len(raw["phrases"]) == len(PHRASES)
    for word, concept in [*CONCEPTS.items(), *((" ".join(k), v) for k, v in PHRASES.items())]:
        # folded lower-case ASCII, or the entry could never meet a title word
        assert word == anyascii(word).lower() and concept == anyascii(concept).lower(), word


def test_a_market_day_listed_all_day_meets_its_opening_hour_at_the_same_place() -> None:
    day = ev("borgen-manuelt", "Julemarked 2. desember", "2028-12-02T00:00")
    timed = ev("aktivitetforalle", "Julemarked på torget", "2028-12-02T11:00")
    other = ev("musikkorps", "Julekonsert", "2028-12-02T11:00")
    elsewhere = ev("husflidslag", "Julemarked", "2028-12-02T11:00", place="Heggedal grendehus")
    start = datetime(2028, 12, 2, tzinfo=OSLO)
    day = replace(day, all_day=True, start=start, end=start + timedelta(days=1))
    groups = [sorted(g) for g in together(day, timed, other, elsewhere)]
    assert groups == [["aktivitetforalle", "borgen-manuelt"]]


def test_an_english_place_name_is_the_same_place() -> None:
    a = ev("bibliotek", "Språkkafé", "2028-10-31T18:00", place="Borgen bibliotek")
    b = ev("frivilligsentral", "Norwegian language café", "2028-10-31T18:00", place="Borgen library")
    assert verdict(a, b) is not None


def test_a_portal_category_title_naming_the_organiser_is_the_organisers_event() -> None:
    own = ev("musikkorps", "Julestemning med hovedkorpset", "2028-12-10T17:00", place="Vardåsen kirke")
    portal = ev(
        "aktivitetforalle",
        "Konsert",
        "2028-12-10T17:00",
        place="Vardåsen kirke",
        description="Borgen musikkorps",
    )
    silent = ev("aktivitetforalle", "Konsert", "2028-12-10T17:00", place="Vardåsen kirke")
    assert verdict(own, portal) is not None
    assert verdict(own, silent) is None


def test_a_match_at_the_pitch_is_a_fixture_without_a_sport_word() -> None:
    club = ev(
        "borgen-il",
        "Borgen IL Menn Senior A - Vollen UL Menn Senior A",
        "2028-10-28T13:00",
        place="Borgen kunstgress",
    )
    news = ev(
        "borgen-nyheter", "Sesongfinale: Borgen møter Vollen", "2028-10-28T13:00", place="Borgen kunstgress"
    )
    other = ev("borgen-manuelt", "Borgen – Heggedal", "2028-10-28T13:00", place="Borgen kunstgress")
    assert verdict(club, news) is not None
    assert verdict(club, other) is None


def test_a_family_event_is_also_a_childrens_event() -> None:
    a = ev("dnt-asker", "Sopptur med Barnas Turlag", "2028-10-01T11:00")
    b = ev("borgen-nyheter", "Sopptur for hele familien", "2028-10-01T11:00")
    assert verdict(a, b) is not None


def test_a_hill_or_lake_after_a_dash_is_still_where_the_tour_goes() -> None:
    # "Turgruppe – Vardåsen": a name with a hill's ending is a name even as a part's first word
    assert proper_words("Turgruppe – Vardåsen", toponyms=True) == {"vardasen"}
    assert proper_words("Påsketur med turgruppa: Semsvannet rundt", toponyms=True) == {"semsvannet"}
    # a word after a colon without such an ending is still no name
    assert proper_words("Påskelunsj – Eldretreff", toponyms=True) == frozenset()
    # two tours from the square at ten to two places are two events
    portal = ev(
        "aktivitetforalle", "Turgruppe – Vardåsen", "2047-09-10T10:00", place="Søndre Borgen 11, 1388 Borgen"
    )
    group = ev(
        "frivilligsentral",
        "Turgruppa går til Semsvannet",
        "2047-09-10T10:00",
        place="Oppmøte: Borgen innbyggertorg",
    )
    assert verdict(portal, group) is None
    # the organiser's name ("Asker Turlag") is who, not a place: no contradiction with the hill
    club = ev(
        "dnt-asker", "Skitur: Sollihøgda – Kjaglidalen", "2041-01-27T10:00", place="Sollihøgda parkering"
    )
    news = ev("borgen-manuelt", "Skitur med Asker Turlag", "2041-01-27T10:00", place="Sollihøgda parkering")
    assert verdict(club, news) is not None
