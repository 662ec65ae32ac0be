"""Issue 4 second follow-up: the third labelled set's misses (English titles, synonyms, split
compounds, an audience named by one side only, team-sport fixtures, a meeting time) now match,
and the near misses of every file stay apart.

Listings are Borgen's own, written like the sources write them; times are Europe/Oslo wall
clock, including the DST end of 2027-10-31 and the DST start of 2028-03-26.
"""

from __future__ import annotations

from aggregator.dedup.keys import (
    concept_tokens,
    covered,
    fixture,
    found_in,
    kinds,
    same_fixture,
    same_word,
    title_tokens,
)
from aggregator.dedup.match import compare, prepare
from bench.dedup_quality import THIRD, evaluate, load
from tests.dedup.test_dedup import OSLO, PRIORITY, ev, verdict
from tests.dedup.test_matching import together


def concepts(title: str) -> tuple[str, ...]:
    return concept_tokens(title_tokens(title))


def test_lexicon_joins_english_phrases_and_synonyms_to_the_norwegian_event_word() -> None:
    assert concepts("Language café – practise Norwegian") == ("sprakkafe", "ov", "norsk")
    assert concepts("Språkkafe – øv på norsk") == ("sprakkafe", "ov", "norsk")
    assert concepts("Flea market at Borgen") == ("loppemarked",)
    assert concepts("Santa Lucia på Borgen") == concepts("Luciafeiring") == ("lucia",)
    # invitations and a meeting time are no part of what the event is
    assert concepts("Sykkeltur – oppmøte 10.45") == ("sykkeltur",)
    assert concepts("Halloween: kom utkledd til torget!") == ("halloween", "utkledd")
    # a genitive of the deployment's own place word is dropped like the word itself
    assert concepts("Askers historie") == ("historie",)


def test_split_compounds_cover_their_parts_but_a_modifier_alone_is_not_the_thing() -> None:
    def words(title: str) -> frozenset[str]:
        return frozenset(concepts(title))

    assert covered(words("Kurs i førstehjelp"), words("Førstehjelpskurs"))  # linking "s"
    assert covered(words("Kafé KIME"), words("KIME-kafeen"))
    assert covered(words("Halloweenfest"), words("Halloween"))  # generic head "fest"
    assert covered(words("Digitalhjelp"), words("Digital hjelp: BankID og Vipps"))
    # "Seniordans" does not say "senior" of "Trim for seniorer": its head is no word there
    assert not found_in("senior", words("Trim for seniorer"), words("Seniordans"))
    assert not covered(words("Høsttur til Kolsås"), words("Høsttur til Skaugumsåsen"))


def test_third_set_paraphrases_match_at_one_place_and_time() -> None:
    pairs = [
        ("Bærtur for familier", "Bærplukking for hele familien", "2027-09-05T10:30", "2027-09-05T10:30"),
        ("Språkkafé", "Language café – practise Norwegian", "2027-09-07T18:00", "2027-09-07T18:00"),
        ("Høstloppis på torget", "Loppemarked – høst", "2027-09-11T10:00", "2027-09-11T10:00"),
        (
            "Foredrag: Askers historie",
            "Lokalhistorisk foredrag om Asker",
            "2027-10-07T19:00",
            "2027-10-07T19:00",
        ),
        (
            "Førstehjelpskurs: hjerte-lunge-redning",
            "Lær hjerte-lunge-redning",
            "2027-10-20T18:00",
            "2027-10-20T18:00",
        ),
        ("Luciatog med kulturskolens kor", "Santa Lucia på Borgen", "2027-12-13T17:30", "2027-12-13T17:30"),
        (
            "Pepperkakebaking for barn",
            "Bak pepperkaker på biblioteket",
            "2027-12-04T12:00",
            "2027-12-04T12:00",
        ),
        # the day after the DST end (2027-10-31): the listings' wall clocks still agree
        ("Halloweenfest for barn", "Halloween på Borgen", "2027-11-01T16:00", "2027-11-01T16:00"),
    ]
    for a, b, sa, sb in pairs:
        assert verdict(ev("naermiljosentral", a, sa), ev("bibliotek", b, sb)) is not None, (a, b)


def test_a_meeting_time_may_be_up_to_thirty_minutes_early_but_only_when_it_says_so() -> None:
    # across the DST end: 2027-10-31 10:30 CET is 09:30 UTC, and the minutes compared are local
    tour = ev("dnt-asker", "Sykkeltur til Hvalstad", "2027-10-31T11:00")
    meet = ev("naermiljosentral", "Sykkeltur – oppmøte 10.30", "2027-10-31T10:30")
    assert verdict(tour, meet) is not None
    said_below = ev("naermiljosentral", "Sykkeltur", "2027-10-31T10:30", description="Oppmøte ved fontenen.")
    assert verdict(tour, said_below) is not None
    # the same words half an hour apart without a meeting time are two departures
    assert verdict(tour, ev("naermiljosentral", "Sykkeltur", "2027-10-31T10:30")) is None
    # and a meeting time never reaches past thirty minutes
    assert verdict(tour, ev("naermiljosentral", "Sykkeltur – oppmøte 10.15", "2027-10-31T10:15")) is None


def test_doors_and_coffee_before_the_start_make_the_two_starts_one() -> None:
    concert = ev(
        "musikkorps",
        "Høstkonsert med Borgen skolekorps",
        "2027-11-21T18:00",
        description="Aspirantene, juniorkorpset og hovedkorpset spiller. Kakebuffet i pausen.",
    )
    doors = ev("borgen-manuelt", "Korpskonsert – dørene åpner 17.30", "2027-11-21T17:30")
    x, y = prepare([concert, doors], PRIORITY, OSLO)
    found = compare(x, y)
    assert found is not None and any("a meeting or door time" in r for r in found.reasons)
    # a door time makes the starts one, not the events: the quiz next door stays another
    other = ev("borgen-manuelt", "Quiz i kafeen – dørene åpner 17.30", "2027-11-21T17:30")
    assert verdict(concert, other) is None
    # one listing's words give the other's start: "Kaffe 18.30, start 19"
    talk = ev(
        "bibliotek",
        "Lokalhistorisk kveld: Borgen gård før og nå",
        "2027-11-25T19:00",
        description="Asker historielag viser gamle bilder fra gården.",
    )
    coffee = ev("borgen-manuelt", "Historielaget: gamle bilder fra Borgen gård", "2027-11-25T18:30")
    assert verdict(talk, coffee) is None
    stated = ev(
        "borgen-manuelt",
        "Historielaget: gamle bilder fra Borgen gård",
        "2027-11-25T18:30",
        description="Kaffe 18.30, start 19.",
    )
    assert verdict(talk, stated) is not None


def test_a_fixture_is_one_match_wherever_each_listing_says_it_is_played() -> None:
    match = ev("borgen-il", "Borgen IL - Heggedal IL", "2027-08-21T14:00", place="Borgen kunstgress")
    manual = ev("borgen-manuelt", "Fotball: Borgen mot Heggedal", "2027-08-21T14:00", place="Fotballbanen")
    assert verdict(match, manual) is not None
    other = ev("borgen-manuelt", "Fotball: Borgen mot Vollen", "2027-08-21T14:00", place="Fotballbanen")
    assert verdict(match, other) is None


def test_fixtures_are_the_same_teams_as_an_unordered_pair_and_the_same_age_class() -> None:
    assert fixture("Borgen IL J13 – Vollen UL") == (
        frozenset({"borgen"}),
        frozenset({"vollen"}),
        frozenset({"j13"}),
    )
    assert fixture("Språkkafé – øv på norsk") is None  # no sport word, club or class
    club, news = fixture("Borgen IL J13 – Vollen UL"), fixture("Fotball: J13 mot Vollen")
    assert club and news and same_fixture(club, news)
    home, away = fixture("Asker FK – Borgen IL"), fixture("Borgen IL mot Asker FK")
    assert home and away and same_fixture(home, away)
    kw = {"place": "Borgen kunstgress"}
    assert together(
        ev("borgen-il", "Borgen IL J13 – Vollen UL", "2027-09-11T13:30", **kw),
        ev("borgen-nyheter", "Fotball: J13 mot Vollen", "2027-09-11T13:30", **kw),
    )
    # another class or another opponent at the same pitch and time is another match
    assert (
        verdict(
            ev("borgen-il", "Borgen IL G13 – Vollen UL", "2027-09-11T13:30", **kw),
            ev("borgen-nyheter", "Fotball: J13 mot Vollen", "2027-09-11T13:30", **kw),
        )
        is None
    )
    assert (
        verdict(
            ev("borgen-il", "Borgen IL J13 – Heggedal IL", "2027-09-11T13:30", **kw),
            ev("borgen-nyheter", "Fotball: J13 mot Vollen", "2027-09-11T13:30", **kw),
        )
        is None
    )


def test_near_misses_stay_apart_under_the_new_evidence() -> None:
    # the weekly language café on consecutive weeks (one in English)
    assert (
        verdict(
            ev("naermiljosentral", "Språkkafé", "2028-03-21T18:00"),
            ev("bibliotek", "Language café", "2028-03-28T18:00"),
        )
        is None
    )
    # across the DST start (2028-03-26): two tours leave the square at ten
    assert (
        verdict(
            ev("dnt-asker", "Søndagstur til Vardåsen", "2028-03-26T10:00"),
            ev("naermiljosentral", "Søndagstur til Skaugumsåsen", "2028-03-26T10:00"),
        )
        is None
    )
    # the same title at another venue, and two hours apart
    assert (
        verdict(
            ev("naermiljosentral", "Halloweenfest", "2027-10-30T16:00"),
            ev("bibliotek", "Halloween", "2027-10-30T16:00", place="Holmen bibliotek"),
        )
        is None
    )
    assert (
        verdict(
            ev("naermiljosentral", "Halloweenfest", "2027-10-30T16:00"),
            ev("bibliotek", "Halloween", "2027-10-30T18:00"),
        )
        is None
    )
    # an audience is set aside only when the other title names none: children vs seniors differ
    assert (
        verdict(
            ev("naermiljosentral", "Pepperkakebaking for barn", "2027-12-04T12:00"),
            ev("bibliotek", "Pepperkakebaking for seniorer", "2027-12-04T12:00"),
        )
        is None
    )


def test_the_verdict_says_why() -> None:
    a = ev("frivilligsentral", "Kurs i førstehjelp", "2027-10-20T18:00", place="Borgen nærmiljøsentral")
    b = ev(
        "aktivitetforalle",
        "Førstehjelpskurs: livreddende tiltak",
        "2027-10-20T18:00",
        place="Borgen nærmiljøsentral",
    )
    x, y = prepare([a, b], PRIORITY, OSLO)
    found = compare(x, y)
    assert found is not None and "every word of one title, compounds split" in found.reasons


def test_third_labelled_file_is_now_fully_recalled_without_a_false_merge() -> None:
    # The file's 22 misses were studied for these rules, so this is a regression check, not a
    # held-out figure (that is bench/data/dedup_fourth.tsv's, in BENCHMARKS.md).
    result = evaluate(load(THIRD, first_id=200_000))
    assert result["fp"] == 0
    assert result["fn"] == 0
    assert result["positive_pairs"] == 66


def test_common_names_for_one_kind_of_event() -> None:
    # abbreviations, synonyms and heads a reader takes for one another (blind-set misses)
    for one, other in [
        ("Kurs i hjerte-lunge-redning", "HLR-kurs (gratis)"),
        ("Innbyggermøte om Borgen sentrum", "Folkemøte: Borgen sentrum"),
        ("Gratis sykkelfiks", "Sykkelverksted"),
        ("Filmvisning for barn", "Barnefilm med popcorn"),
    ]:
        a = ev("frivilligsentral", one, "2030-05-04T12:00")
        b = ev("naermiljosentral", other, "2030-05-04T12:00")
        assert verdict(a, b) is not None, (one, other)


def test_a_side_of_a_fixture_says_its_team_in_few_words() -> None:
    # "spiller hjemme", "Hjemmekamp", "A-laget" name no team: the listing club's own, implicit
    club = fixture("Borgen J14 – Vollen")
    for other in (
        "J14 spiller hjemme mot Vollen ⚽",
        "Hjemmekamp J14 vs Vollen",
        "Seriestart: A-laget tar imot Vollen",
    ):
        found = fixture(other, venue=True)
        assert club and found and same_fixture(club, found), other
    # another age class is another match
    g13 = fixture("Borgen G13 – Vollen")
    assert club and g13 and not same_fixture(club, g13)


def test_an_artificial_pitch_is_no_kind_of_art() -> None:
    assert kinds(concept_tokens(title_tokens("Borgen Cup fyller kunstgresset"))) == frozenset()
    assert "kunst" in kinds(concept_tokens(title_tokens("Kunstkurs for barn")))


def test_a_compound_of_the_place_word_still_says_what() -> None:
    # "Påskeverksted" in the workshop is an Easter workshop: its title key keeps the word
    own = ev("naermiljosentral", "Påskeverksted", "2042-04-02T11:00", place="Verkstedet")
    club = ev(
        "husflidslag", "Påskeverksted for barn", "2042-04-02T11:00", place="Borgen innbyggertorg, verkstedet"
    )
    assert verdict(own, club) is not None


def test_the_band_is_the_band_whichever_word_keeps_the_s() -> None:
    # Snowball stems "korpset" to "korps" but "musikkorps" to "musikkorp"
    assert same_word("korpset", "musikkorps") and same_word("musikkorps", "korpset")
    assert same_word("korpset", "skolekorpset")
    # a prefix is still no head
    assert not same_word("korpset", "korpsloppis")


def test_a_seasons_party_by_any_of_its_names() -> None:
    own = ev("naermiljosentral", "Sommerfest", "2031-06-19T17:00", place="Borgen innbyggertorg")
    portal = ev(
        "aktivitetforalle",
        "Sommeravslutning på Borgen innbyggertorg",
        "2031-06-19T17:00",
        place="Søndre Borgen 11, Borgen innbyggertorg",
    )
    assert verdict(own, portal) is not None
    manual = ev("borgen-manuelt", "Vårslipp", "2031-05-19T12:00", place="Borgen innbyggertorg")
    square = ev("aktivitetforalle", "Vårfest", "2031-05-19T12:00", place="Borgen innbyggertorg")
    assert verdict(manual, square) is not None
