"""Date-only notices (the square's news posts) join the day's event they describe best, and only
when one event clearly is the one (aggregator/dedup/relative.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from aggregator.dedup import Decisions, cluster, key_of
from aggregator.model import EventRecord
from bench.dedup_quality import NAMES, TWENTYFOURTH, TWENTYSIXTH, load
from bench.dedup_quality import SAME_PLACES as SHIPPED_PLACES
from tests.dedup.test_dedup import OSLO, PRIORITY, ev
from tests.dedup.test_places import SQUARE


def notice(source: str, title: str, day: str, description: str, place: str | None = None) -> EventRecord:
    """A date-only listing, as a news post gives it: the date, no clock time, often no place."""
    start = datetime.fromisoformat(day).replace(tzinfo=OSLO)
    rec = ev(source, title, f"{day}T00:00", place=place, description=description)
    return replace(rec, all_day=True, start=start, end=start + timedelta(days=1))


def groups(*records: EventRecord, decisions: Decisions | None = None) -> list[list[str]]:
    found = cluster(list(records), PRIORITY, OSLO, decisions=decisions or Decisions(), same_places=SQUARE)
    return sorted(sorted(records[i].title for i in g.members) for g in found if len(g.members) > 1)


PARTY = ev(
    "naermiljosentral",
    "Nabolagsfest på Borgen",
    "2027-08-28T13:00",
    place="Borgen nærmiljøsentral, Søndre Borgen 11",
    description="Grilling, hoppeslott, loppis og musikk fra skolekorpset. Ta med naboen!",
)
STORYTIME = ev(
    "bibliotek",
    "Eventyrstund for de minste",
    "2027-08-28T11:00",
    place="Borgen bibliotek",
    description="Vi leser eventyr og synger sammen. For barn 2–5 år.",
)
TOUR = ev(
    "dnt-asker",
    "Lørdagstur til Vardåsen",
    "2027-08-28T10:00",
    place="Oppmøte: Borgen innbyggertorg",
    description="Rolig tur til toppen av Vardåsen, ca. 3 timer. Ta med niste.",
)
POST = notice(
    "borgen-nyheter",
    "Torget fylles med grillrøyk og korpsmusikk",
    "2027-08-28",
    "Lørdag inviterer nærmiljøsentralen hele nabolaget til fest. Hoppeslott for de små, loppis og "
    "grilling for de store, og skolekorpset spiller.",
)


def test_a_news_post_in_its_own_words_joins_the_event_it_describes() -> None:
    assert groups(PARTY, STORYTIME, TOUR, POST) == [
        ["Nabolagsfest på Borgen", "Torget fylles med grillrøyk og korpsmusikk"]
    ]


def test_the_merge_says_why() -> None:
    records = [PARTY, STORYTIME, TOUR, POST]
    (joined,) = [g for g in cluster(records, PRIORITY, OSLO, same_places=SQUARE) if len(g.members) > 1]
    (link,) = joined.links
    assert "date-only notice: the day's best text match" in link.reasons[0]
    assert {link.member, link.other} == {records.index(PARTY), records.index(POST)}


def test_a_notice_about_nothing_listed_that_day_stays_alone() -> None:
    hours = notice(
        "borgen-nyheter",
        "Nye åpningstider i høstferien",
        "2027-08-28",
        "Biblioteket og kafeen har kortere åpningstid uke 40. Meråpent, aviser og musikk som vanlig.",
    )
    assert groups(PARTY, STORYTIME, TOUR, hours) == []


def test_a_notice_that_fits_two_events_equally_stays_alone() -> None:
    other_tour = ev(
        "borgen-manuelt",
        "Lørdagstur til Skaugumsåsen",
        "2027-08-28T10:00",
        place="Borgen innbyggertorg",
        description="Rolig tur til toppen av Skaugumsåsen, ca. 3 timer. Ta med niste.",
    )
    both = notice(
        "borgen-nyheter",
        "To turer fra torget lørdag",
        "2027-08-28",
        "Turlaget går rolig tur til toppen, ca. 3 timer. Ta med niste.",
    )
    assert groups(TOUR, other_tour, both) == []


def test_a_notice_never_joins_a_cluster_holding_its_own_source_or_a_contradicting_place() -> None:
    own = ev(
        "borgen-nyheter",
        "Nabolagsfest",
        "2027-08-28T13:00",
        place="Borgen innbyggertorg",
        description="Grilling, hoppeslott og loppis.",
    )
    assert groups(own, POST) == []
    elsewhere = replace(POST, location="Asker kulturhus")
    assert groups(PARTY, STORYTIME, elsewhere) == []


def test_an_operator_apart_decision_holds_against_a_notice() -> None:
    apart = Decisions(apart=frozenset({frozenset({key_of(PARTY), key_of(POST)})}))
    assert groups(PARTY, STORYTIME, TOUR, POST, decisions=apart) == []


def test_compound_words_are_read_by_their_parts() -> None:
    quiz = ev(
        "naermiljosentral",
        "Quizkveld",
        "2027-06-11T19:00",
        place="Borgen nærmiljøsentral",
        description="Gratis. Ingen påmelding.",
    )
    concert = ev(
        "bibliotek",
        "Sommerkonsert med kulturskolen",
        "2027-06-11T18:00",
        place="Borgen bibliotek",
        description="Elever spiller sommerlig repertoar en lys kveld i biblioteket.",
    )
    post = notice(
        "borgen-nyheter",
        "Fredagsmoro for naboer",
        "2027-06-11",
        "Quiz, quiz og mer quiz, med premier. Still lag med naboen!",
    )
    assert groups(quiz, concert, post) == [["Fredagsmoro for naboer", "Quizkveld"]]
    # the post says "quiz", the listing only "Quizkveld": without its parts they share no word
    post = replace(post, description="Spørsmål, spørsmål og mer spørsmål, med premier. Still lag med naboen!")
    assert groups(quiz, concert, post) == []


def test_a_portal_listing_naming_the_organiser_is_the_organisers_event() -> None:
    # the portal's category title says nothing; its text names Borgen IL, whose names the
    # operator lists in settings.toml ("names")
    sport = ev(
        "borgen-il",
        "Allidrett 6–9 år",
        "2027-12-04T12:00",
        place="Borgen skole, gymsal",
        description="Lek, ballspill og turn hver lørdag.",
    )
    portal = ev(
        "aktivitetforalle",
        "Aktivitet for barn",
        "2027-12-04T12:00",
        place="Borgen skole",
        description="Borgen IL. Gratis første gang.",
    )
    names = {"borgen-il": ("Borgen IL", "Borgen idrettslag")}
    joined = cluster([sport, portal], PRIORITY, OSLO, names=names)
    assert [len(g.members) for g in joined] == [2]
    assert any("names the organiser borgen il" in r for r in joined[0].links[0].reasons)
    # without the operator's names "Borgen" is only the area's name: two listings
    assert [len(g.members) for g in cluster([sport, portal], PRIORITY, OSLO)] == [1, 1]
    # a name said elsewhere in a word is no name: "Borgen ILlustrert" does not say "Borgen IL"
    other = replace(portal, description="Tegnekurs med Borgen Illustrasjon. Gratis første gang.")
    assert [len(g.members) for g in cluster([sport, other], PRIORITY, OSLO, names=names)] == [1, 1]


def test_a_closure_notice_is_about_opening_hours_not_an_event() -> None:
    gym = ev(
        "aktivitetforalle",
        "Åpen gymsal i høstferien",
        "2027-10-05T12:00",
        place="Borgen innbyggertorg, gymsal",
        description="For barn og unge 10–16 år. Ballspill og innebandy. Gratis.",
    )
    closed = notice(
        "borgen-nyheter",
        "Kafé KIME holder stengt i høstferien",
        "2027-10-05",
        "Kafeen tar ferie i uke 40. Biblioteket og gymsalen er åpne som vanlig, med ballspill for barn.",
    )
    assert groups(gym, closed) == []
    # the same words in a post about the open gym itself join it
    opened = replace(closed, title="Åpen gymsal hele høstferien")
    assert groups(gym, opened) == [["Åpen gymsal hele høstferien", "Åpen gymsal i høstferien"]]
    # a pause is no event either: "Ingen språkkafé i høstferien" is not the holiday's open gym
    pause = replace(closed, title="Ingen språkkafé i høstferien")
    assert groups(gym, pause) == []


def test_a_notice_stating_another_time_or_kind_is_not_the_days_event() -> None:
    knitting = ev(
        "husflidslag",
        "Strikkekafé",
        "2040-04-25T18:00",
        place="Kafeen, Borgen innbyggertorg",
        description="Vi strikker sammen. Denne gangen: sokkehæl for nybegynnere.",
    )
    walk = notice(
        "frivilligsentral",
        "Turgruppa på Borgen",
        "2040-04-25",
        "10.30 - 12.30. Rolig tur i nærområdet, vi avslutter med kaffe i kafeen.",
        place="Oppmøte: Borgen innbyggertorg",
    )
    # the only timed event that day, yet the walk is in the morning and a walk
    assert groups(knitting, walk) == []
    # a news post that tells a party by what it offers is still that party
    party = ev(
        "aktivitetforalle",
        "Borgendagen – familiefest",
        "2036-09-13T12:00",
        place="Borgen innbyggertorg",
        description="Familiefest for hele nærmiljøet med musikk, mat og aktiviteter. Gratis.",
    )
    news = notice(
        "borgen-nyheter",
        "Torget fylles med musikk, mat og aktiviteter på lørdag",
        "2036-09-13",
        "Borgendagen er tilbake! Matboder, konserter og aktiviteter for barn fra klokka 12 til 16.",
    )
    others = [
        ev("borgen-il", "Borgen G14 – Holmen", "2036-09-13T11:00", place="Borgen kunstgress"),
        ev("bibliotek", "Språkkafé", "2036-09-10T18:00", place="Borgen bibliotek"),
        ev("husflidslag", "Strikkekafé", "2036-09-11T18:00", place="Borgen innbyggertorg"),
    ]
    assert groups(party, news, *others) == [sorted([party.title, news.title])]


def test_a_portal_naming_an_organiser_with_two_events_at_one_hour_is_the_one_of_its_kind() -> None:
    names = {"frivilligsentral": ("Asker frivilligsentral",)}
    walk = ev("frivilligsentral", "Turgruppa – Kjaglidalen", "2039-09-06T10:00", place="Borgen innbyggertorg")
    course = ev(
        "aktivitetforalle",
        "Kurs: Digital hverdag for seniorer (1 av 2)",
        "2039-09-06T10:00",
        place="Søndre Borgen 11, 1388 Borgen, 2. etasje",
        description="Arrangør: Asker frivilligsentral / Seniornett. Gratis.",
    )
    found = cluster([walk, course], PRIORITY, OSLO, same_places=SQUARE, names=names)
    assert all(len(g.members) == 1 for g in found)


def _day_groups(path: Path, day: str) -> list[list[str]]:
    """The clusters of more than one listing on ``day`` when a labelled bench file is clustered
    whole (its words' weights are the file's), as sorted titles."""
    listings = load(path)
    records = [li.record for li in listings]
    found = cluster(records, PRIORITY, OSLO, same_places=SHIPPED_PLACES, names=NAMES)
    on_day = [g for g in found if records[g.members[0]].start.date().isoformat() == day]
    return sorted(sorted(records[i].title for i in g.members) for g in on_day if len(g.members) > 1)


def test_a_notice_leading_the_next_event_by_half_again_is_clear() -> None:
    # "Boller, ris og katta i tønna" retells the square's fastelavn party; the Barnas Turlag
    # fastelavn tour that day is the runner-up at a bit more than half its likeness
    found = _day_groups(TWENTYFOURTH, "2038-03-07")
    party = next(g for g in found if "Fastelavnsfest" in g)
    assert "Boller, ris og katta i tønna" in party


def test_a_notice_with_a_single_candidate_needs_less_likeness() -> None:
    # the only event that day sharing a word with the post: its handball tournament
    found = _day_groups(TWENTYFOURTH, "2038-03-20")
    assert ["Minihåndball-turnering", "Minirunde håndball 8–10 år"] in found


def test_a_holiday_at_a_place_is_a_programme_not_the_days_cafe() -> None:
    found = _day_groups(TWENTYSIXTH, "2039-02-21")
    assert not any("Vinterferie på Borgen" in g and "Strikkekafé" in g for g in found)
