"""Issue 4 follow-up: the paraphrases the held-out set missed, the blocking that keeps the cost
linear, and that the blocking loses no pair the verdict would accept.

Listings are Borgen's own (the held-out file's misses and their near misses); the scale checks
count candidate pairs of ``bench.dedup_scale``'s seeded regional workload, which does not
depend on the machine's speed.
"""

from __future__ import annotations

import gc
from dataclasses import replace
from itertools import combinations

import pytest

from aggregator.dedup import cluster
from aggregator.dedup.cluster import gc_paused
from aggregator.dedup.keys import (
    TYPO_MIN,
    concept_tokens,
    place_words,
    same_word,
    stem,
    themes_of,
    title_key,
    title_tokens,
)
from aggregator.dedup.match import Entry, candidate_pairs, compare, place_agreement, prepare
from aggregator.model import EventRecord
from bench.dedup_scale import workload
from tests.dedup.test_dedup import OSLO, PRIORITY, ev, verdict


def together(*records: EventRecord) -> bool:
    groups = cluster(list(records), PRIORITY, OSLO)
    return len(groups) == 1


def test_named_day_written_as_a_date_is_the_days_name_but_a_date_suffix_is_not() -> None:
    assert title_key("8. mars-markering") == "kvinnedagen"  # "markering" only says "an event"
    assert title_key("Kvinnedagen: kveld på Borgen") == "kvinnedagen kveld"
    assert title_key("17. mai: frokost på Borgen") == title_key("17. mai-frokost") == "nasjonaldagen frokost"
    # a date at the end of a title is when, not what
    assert title_key("Konsert – lørdag 8. mars") == "konsert"
    assert title_key("Loppemarked 17. mai 2027") == "loppemarked"


def test_held_out_paraphrases_now_match() -> None:
    # "Kvinnedagen: kveld på Borgen" / "8. mars-markering": no shared word before the named day
    assert verdict(
        ev("borgen-nyheter", "Kvinnedagen: kveld på Borgen", "2027-03-08T18:00"),
        ev("naermiljosentral", "8. mars-markering", "2027-03-08T18:00"),
    )
    # synonymous compound heads
    assert same_word("sykkelverksted", "sykkelreparasjon")
    assert verdict(
        ev("frivilligsentral", "Sykkelreparasjon for barn", "2027-03-06T12:00"),
        ev("borgen-manuelt", "Sykkelverksted for barn", "2027-03-06T12:00"),
    )
    # the organiser's name in the news' title says who, not what
    assert verdict(
        ev("musikkorps", "Åpen øvelse for nye musikanter", "2027-01-20T19:00", place="Borgen skole"),
        ev("borgen-nyheter", "Borgen musikkorps: åpen øvelse", "2027-01-20T19:00", place="Borgen skole"),
    )


def test_compound_and_its_head_in_other_words_are_clustered_through_the_place_block() -> None:
    # "vard" and "dugn"/"var" share no title-word prefix; the old blocking never compared them
    a = ev("borgen-manuelt", "Vårdugnad på Borgen", "2027-04-24T10:00")
    b = ev("naermiljosentral", "Dugnad på Borgen – vår", "2027-04-24T10:00")
    assert together(a, b)


def test_the_new_evidence_keeps_near_misses_apart() -> None:
    # one shared word at the same start and place is not enough: two tours leave at ten
    assert (
        verdict(
            ev("dnt-asker", "Søndagstur til Vardåsen", "2027-01-10T10:00"),
            ev("naermiljosentral", "Søndagstur til Skaugumsåsen", "2027-01-10T10:00"),
        )
        is None
    )
    # a compound's modifier is not the thing: senior dance is not senior gym
    assert (
        verdict(
            ev("frivilligsentral", "Seniordans", "2026-12-07T11:00", place="Borgen nærmiljøsentral"),
            ev("naermiljosentral", "Trim for seniorer", "2026-12-07T11:00", place="Borgen nærmiljøsentral"),
        )
        is None
    )
    # the organiser's word is dropped only when it names the *other* listing's source
    assert (
        verdict(
            ev("borgen-nyheter", "Borgen musikkorps: åpen øvelse", "2027-01-20T19:00", place="Borgen skole"),
            ev("frivilligsentral", "Korøvelse: Borgen seniorkor", "2027-01-20T19:00", place="Borgen skole"),
        )
        is None
    )
    # same words, but fifteen minutes apart: the shared-words rule wants the same start
    assert (
        verdict(
            ev("aktivitetforalle", "Strikkekafé med kaffe og vafler", "2027-01-13T11:00"),
            ev("frivilligsentral", "Kaffe og vafler i kafeen", "2027-01-13T11:15"),
        )
        is None
    )


def test_stems_keep_a_place_name_apart_from_a_season_word() -> None:
    # sixth blind set: the crude stemmer cut "Vardåsen" to "vard", the "vår" of "Vårdugnad", and
    # two clean-ups on one Saturday (the square's and DNT's trail work in Vardåsen) were merged
    assert stem("vardasen") != stem("vardugnad")[:4]
    assert not same_word("vardasen", "var")
    assert (
        verdict(
            ev("borgen-manuelt", "Vårdugnad på Borgen", "2029-04-21T10:00"),
            ev("dnt-asker", "Stidugnad i Vardåsen", "2029-04-21T10:00"),
        )
        is None
    )
    # while inflections still meet: plural, definite and genitive forms, and "kafé"/"kafeen"
    assert stem("turer") == stem("turen") == stem("tur")
    assert stem("kulturskolens") == stem("kulturskolen") == stem("kulturskole")
    assert stem("strikkekafeen") == stem("strikkekafe")
    assert same_word("konserter", "konserten")


def test_two_shared_words_at_the_same_start_and_place_match() -> None:
    a = ev("aktivitetforalle", "Digital hjelp: BankID og Vipps", "2027-09-28T11:00", place="Borgen bibliotek")
    b = ev("frivilligsentral", "Hjelp med BankID for eldre", "2027-09-28T11:00", place="Borgen bibliotek")
    x, y = prepare([a, b], PRIORITY, OSLO)
    found = compare(x, y)
    assert found is not None and "2 shared words at the same start and place" in found.reasons
    # the same pair an hour apart is two sessions
    c = ev("frivilligsentral", "Hjelp med BankID for eldre", "2027-09-28T12:00", place="Borgen bibliotek")
    assert verdict(a, c) is None


def brute_force(entries: list[Entry]) -> set[tuple[int, int]]:
    return {
        (a.index, b.index)
        for a, b in combinations(entries, 2)
        if a.source_id != b.source_id and compare(a, b) is not None
    }


def test_blocking_loses_no_pair_the_verdict_accepts() -> None:
    # Two towns of the regional workload (10% without a place, one to three listers per
    # event), plus Borgen listings with coordinates, links and all-day entries.
    records = workload(20, per_source=30, seed=7)
    extra = [
        ev(
            "dnt-asker",
            "Søndagstur til Vardåsen",
            "2026-12-06T10:00",
            url="https://www.dnt.no/aktiviteter/1/",
        ),
        ev(
            "borgen-nyheter",
            "Bli med på tur",
            "2026-12-06T09:00",
            place=None,
            description="Påmelding: https://www.dnt.no/aktiviteter/1/",
        ),
        ev("bibliotek", "Lesestund", "2026-12-06T10:00", place="Borgen bibliotek", lat=59.8161, lon=10.4486),
        ev(
            "naermiljosentral", "Lesestund", "2026-12-06T10:00", place="Biblioteket", lat=59.8162, lon=10.4487
        ),
        # two names for one spot: only the coordinates say it is the same place
        ev("borgen-manuelt", "Quiz", "2026-12-06T19:00", place="Kafé KIME", lat=59.81630, lon=10.44900),
        ev(
            "frivilligsentral",
            "Quiz",
            "2026-12-06T19:00",
            place="Borgen innbyggertorg",
            lat=59.8164,
            lon=10.4491,
        ),
        ev("borgen-manuelt", "Lesestund for små", "2026-12-06T10:00", place="Asker bibliotek"),
        ev(
            "frivilligsentral",
            "Lesestund for små",
            "2026-12-06T10:00",
            place="Asker bibliotek, Strandveien 8",
        ),
    ]
    records += [EventRecord(**{**r.__dict__, "id": len(records) + k + 1}) for k, r in enumerate(extra)]
    entries = prepare(records, PRIORITY, OSLO)
    wanted = brute_force(entries)
    assert len(wanted) > 250  # the check has something to check
    found = set(candidate_pairs(entries))
    # By design, a date-only listing without a place meets only the listings that say one of its
    # rarer words (match.NOTICE_BLOCK); the second look (dedup/relative.py) weighs the rest.
    missed = wanted - found
    assert all(any(entries[k].minute is None and not entries[k].place_words for k in pair) for pair in missed)
    assert len(missed) < len(wanted) // 100
    # and every pair is offered once, never within one source
    pairs = list(candidate_pairs(entries))
    assert len(pairs) == len(set(pairs))
    assert all(entries[i].source_id != entries[j].source_id and i < j for i, j in pairs)


def test_candidate_pairs_grow_linearly_with_the_region() -> None:
    # 2,000 listings from 10 sources in one town vs 20,000 from 100 sources in ten towns: the
    # old (date, word) blocks paired every town's "Yoga" at ten; the pair count grew 36× for
    # 10× the events at the benchmark's scale.
    small = prepare(workload(10), {}, OSLO)
    big = prepare(workload(100), {}, OSLO)
    n_small, n_big = sum(1 for _ in candidate_pairs(small)), sum(1 for _ in candidate_pairs(big))
    assert n_small > 1000
    assert n_big / n_small <= 11.5


def test_gc_is_paused_while_clustering_and_restored_even_after_an_error() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # someone else's choice is left alone
    finally:
        gc.enable()


def test_place_names_meet_in_any_order_form_and_language() -> None:
    library = ev("bibliotek", "Babysang", "2029-09-03T11:00", place="Borgen bibliotek")
    other = ev("naermiljosentral", "Babysang", "2029-09-03T11:00", place="Biblioteket på Borgen")
    x, y = prepare([library, other], PRIORITY, OSLO)
    assert place_agreement(x, y) == "same"  # "biblioteket" is the definite "bibliotek"
    assert (
        place_words("Borgen Library")
        == place_words("Biblioteket på Borgen")
        == place_words("Borgen bibliotek")
    )
    # an operator's group recognises its names by their words, house numbers kept
    group = [["Søndre Borgen 11", "Borgen bibliotek", "Kafé KIME"]]
    kime = ev("frivilligsentral", "Språkkafé", "2029-09-05T18:00", place="Kafé KIME")
    english = ev("bibliotek", "Language café", "2029-09-05T18:00", place="Borgen Library")
    next_door = ev("husflidslag", "Språkkafé", "2029-09-05T18:00", place="Søndre Borgen 13")
    a, b, c = prepare([kime, english, next_door], PRIORITY, OSLO, same_places=group)
    assert place_agreement(a, b) == "same"
    assert place_agreement(a, c) == "different"


def test_a_slip_of_the_keyboard_in_a_long_word_is_the_same_word() -> None:
    assert same_word("vardugnad", "vardugand")
    assert not same_word("seniorlag", "juniorlag")  # two edits: two teams
    assert len("dugnad") < TYPO_MIN and not same_word("dugnad", "dugand")  # short words stay exact
    assert verdict(
        ev("borgen-manuelt", "Vårdugand", "2029-04-21T10:00"),
        ev("naermiljosentral", "Vårdugnad på Borgen", "2029-04-21T10:00"),
    )


def _same_cluster_in_evening(a: EventRecord, b: EventRecord) -> bool:
    """Whether ``a`` and ``b`` are clustered together among a realistic evening's other listings
    (the words' weights are taken over the whole input, as in a real run)."""
    background = [
        ev(
            "bibliotek",
            "Språkkafé",
            "2029-10-31T18:00",
            place="Borgen bibliotek",
            description="Øv på norsk med frivillige. Gratis, ingen påmelding.",
        ),
        ev(
            "husflidslag",
            "Strikkekafé",
            "2029-10-31T12:00",
            description="Ta med strikketøyet. Kaffe og vafler. Velkommen!",
        ),
        ev(
            "borgen-il",
            "Allidrett 4–6 år",
            "2029-10-31T17:00",
            place="Borgen skole, gymsalen",
            description="Lek og moro i gymsalen. Gratis for medlemmer.",
        ),
        ev(
            "dnt-asker",
            "Kveldstur med hodelykt",
            "2029-10-31T19:00",
            description="Vi går en runde i Vardåsen. Ta med hodelykt og varme klær.",
        ),
    ]
    records = [*background, a, b]
    groups = cluster(records, PRIORITY, OSLO)
    ia, ib = len(records) - 2, len(records) - 1
    return any(ia in g.members and ib in g.members for g in groups)


def test_a_news_post_in_its_own_words_is_known_by_its_text() -> None:
    own = ev(
        "bibliotek",
        "Forfattermøte: Kari Holm",
        "2029-10-31T16:00",
        place="Borgen bibliotek",
        description="«Under okkupasjonen» handler om tre generasjoner på Vettre gård. Signering etterpå.",
    )
    news = ev(
        "borgen-nyheter",
        "Lokalhistorie i romanform",
        "2029-10-31T16:00",
        place="Borgen bibliotek",
        description="Boka «Under okkupasjonen» om tre generasjoner på Vettre gård presenteres. Signering etterpå.",
    )
    # the titles share no word, and neither text repeats the other's title: the texts' own
    # words ("okkupasjonen", "generasjoner", "Vettre gård") say it is one talk
    assert _same_cluster_in_evening(own, news)
    # the same two titles without their texts: two events
    bare_own = ev("bibliotek", own.title, "2029-10-31T16:00", place="Borgen bibliotek")
    bare_news = ev("borgen-nyheter", news.title, "2029-10-31T16:00", place="Borgen bibliotek")
    assert not _same_cluster_in_evening(bare_own, bare_news)


def test_texts_sharing_only_practical_words_stay_apart() -> None:
    quiz = ev(
        "frivilligsentral",
        "Quizkveld",
        "2029-10-31T18:00",
        description="Gratis. Kaffe og vafler. Velkommen til alle!",
    )
    choir = ev(
        "musikkorps",
        "Åpen korøvelse",
        "2029-10-31T18:00",
        description="Gratis. Kaffe og vafler i pausen. Velkommen til alle!",
    )
    assert not _same_cluster_in_evening(quiz, choir)


def test_a_notice_without_place_or_time_meets_the_event_it_announces() -> None:
    def notice(title: str, start: str, all_day: bool = True) -> EventRecord:
        rec = ev("borgen-nyheter", title, start, place=None)
        return EventRecord(**{**rec.__dict__, "all_day": all_day})

    tour = ev("dnt-asker", "DNT Asker: Tur til Vardåsen", "2029-10-31T10:00")
    assert _same_cluster_in_evening(tour, notice("Bli med DNT Asker til Vardåsen onsdag", "2029-10-31T00:00"))
    # a notice of another tour that morning names another place: two events
    assert not _same_cluster_in_evening(tour, notice("Bli med på tur til Skaugumsåsen", "2029-10-31T00:00"))
    # without a place, shared words half an hour apart are not enough for the pair rules ...
    late = notice("Bli med DNT Asker til Vardåsen", "2029-10-31T10:30", all_day=False)
    assert verdict(tour, late) is None
    # ... but alone in their slot, saying one organiser and one summit, they are one tour (the
    # second look, relative.slot_proposals)
    assert _same_cluster_in_evening(tour, late)
    # with DNT's second Vardåsen tour in that half hour the notice could be either
    other = ev("dnt-asker", "DNT Asker: Seniortur til Vardåsen", "2029-10-31T10:15", place=None)
    records = [tour, late, other]
    assert all(len(g.members) == 1 for g in cluster(records, PRIORITY, OSLO))


def test_emoji_say_nothing_about_the_event() -> None:
    # anyascii spells "🔥" as "fire" and "🎸" as "guitar": words no other listing says
    assert "fire" not in title_key("🔥 Fakkeltur fra torget")
    assert title_key("Rock på KIME 🎸") == title_key("Rock på KIME")
    # a headline's "is back" says nothing either
    assert concept_tokens(title_tokens("Språkkafeen er tilbake!")) == ("sprakkafeen",)


def test_words_of_one_happening_join_when_they_are_most_of_both_titles() -> None:
    party = ev("borgen-manuelt", "Fastelavnsfest", "2029-10-31T12:00")
    news = ev("borgen-nyheter", "Slå katta ut av tønna!", "2029-10-31T12:00")
    assert themes_of("fastelavnsfest") == themes_of("tonna") == {"fastelavn"}
    assert _same_cluster_in_evening(party, news)
    # both Halloween, but a story hour is not the party: a theme is a weak bond
    assert not _same_cluster_in_evening(
        ev("borgen-manuelt", "Halloween på Borgen", "2029-10-31T16:00"),
        ev("bibliotek", "Skummel eventyrstund", "2029-10-31T16:00", place="Borgen bibliotek"),
    )
    # a modifier before a specific head is no theme: a workshop is not the party
    assert themes_of("halloweenverksted") == frozenset()


def test_a_date_only_post_joins_the_show_its_text_names() -> None:
    def show(source: str, title: str, start: str) -> EventRecord:
        return ev(source, title, start, place="Asker kulturhus")

    records = [
        show("kulturskole", "Nøtteknekkeren – kulturskolens juleforestilling", "2031-12-06T14:00"),
        show("kulturskole", "Nøtteknekkeren – kulturskolens juleforestilling", "2031-12-06T18:00"),
        show("kulturskole-ticketco", "Nøtteknekkeren (kl. 14.00)", "2031-12-06T14:00"),
        show("kulturskole-ticketco", "Nøtteknekkeren (kl. 18.00)", "2031-12-06T18:00"),
    ]
    post = ev(
        "borgen-nyheter",
        "Dansere fra Borgen i Nøtteknekkeren",
        "2031-12-06T00:00",
        place="Asker kulturhus",
        description="Flere av danserne er fra Borgen. Kveldsforestillingen kl. 18 har fortsatt ledige plasser.",
    )
    records.append(EventRecord(**{**post.__dict__, "all_day": True}))
    groups = cluster(records, PRIORITY, OSLO)
    with_post = next(g for g in groups if 4 in g.members)
    assert sorted(with_post.members) == [1, 3, 4]
    assert any("says kl. 18.00" in r for link in with_post.links for r in link.reasons)


def test_a_named_sunday_says_when_not_what() -> None:
    # "første søndag i advent" dates the tree lighting; DNT's advent tour says it too
    assert title_tokens("Grana på torget tennes første søndag i advent") == ("grana", "tennes")
    assert title_tokens("Adventskonsert 2. søndag i advent") == ("adventskonsert",)


def test_a_listing_that_says_its_time_was_moved_meets_the_old_time() -> None:
    old = ev("naermiljosentral", "Språkkafé", "2037-11-18T17:00", place="Borgen bibliotek")
    moved = ev(
        "bibliotek",
        "Språkkafé – NB: kl. 18 denne uka",
        "2037-11-18T18:00",
        place="Borgen bibliotek",
        description="På grunn av personalmøte starter språkkaféen én time senere denne onsdagen.",
    )
    assert verdict(old, moved) is not None
    # the same two an hour apart with no word of a change: two events
    plain = ev("bibliotek", "Språkkafé", "2037-11-18T18:00", place="Borgen bibliotek")
    assert verdict(old, plain) is None
    # a moved match is the same fixture ("Kampen er flyttet fra 19.00 til 20.00")
    match = ev("borgen-manuelt", "A-laget hjemme mot Bærum 3", "2037-09-16T19:00", place="kunstgresset")
    late = ev(
        "borgen-il",
        "Borgen – Bærum 3 (NB: ny tid 20.00)",
        "2037-09-16T20:00",
        place="Borgen kunstgress",
        description="Kampen er flyttet fra 19.00 til 20.00 på grunn av banekonflikt.",
    )
    assert verdict(match, late) is not None


def test_a_tour_listed_from_the_meeting_point_meets_its_trailhead() -> None:
    group = ev(
        "frivilligsentral",
        "Turgruppa: Semsvannet rundt med DNT seniorer",
        "2041-09-24T10:00",
        place="Borgen innbyggertorg",
        description="Vi samkjører fra Borgen kl. 10.00. Turen starter 10.30 ved Sem gård.",
    )
    tour = ev(
        "dnt-asker",
        "Seniortur: Semsvannet rundt",
        "2041-09-24T10:30",
        place="Oppmøte: Sem gård, parkeringen",
        description="Lett tur rundt Semsvannet i rolig tempo, ca. 2,5 timer.",
    )
    entries = prepare([group, tour], PRIORITY, OSLO)
    assert list(candidate_pairs(entries)) == [(0, 1)]
    assert verdict(group, tour) is not None
    # without the trailhead's time in the text, two places: two events
    vague = replace(group, description="Vi samkjører fra Borgen. Tur ved Sem gård.")
    assert verdict(vague, tour) is None


def test_il_is_idrettslag() -> None:
    club = ev("borgen-il", "Årsmøte i Borgen IL", "2044-01-27T19:00", place="Borgen innbyggertorg, storsalen")
    square = ev("borgen-manuelt", "Årsmøte Borgen idrettslag", "2044-01-27T19:00", place="storsalen")
    assert verdict(club, square) is not None


def test_a_start_the_other_listing_gives_makes_two_starts_one() -> None:
    # handing in at ten, swapping from eleven: the square lists the swapping
    drop_off = ev(
        "frivilligsentral",
        "Byttedag: barneklær og utstyr",
        "2045-09-23T10:00",
        place="Borgen innbyggertorg, storsalen",
        description="Ta med rene barneklær og bytt til deg noe nytt. Innlevering fra kl. 10, byttingen starter kl. 11.",
    )
    swap = ev("borgen-manuelt", "Byttedag 👕👟", "2045-09-23T11:00", place="storsalen")
    entries = prepare([drop_off, swap], PRIORITY, OSLO)
    assert list(candidate_pairs(entries)) == [(0, 1)]
    found = compare(*entries)
    assert found is not None and "a time the other gives" in " ".join(found.reasons)
    # the end of a range is no start ("kl. 10.00–11.00"), and an hour apart with no word: two
    ranged = replace(drop_off, description="Innlevering og bytting kl. 10.00–11.00.")
    assert verdict(ranged, swap) is None
    # a news post's mention of another event's time is no start of its own
    party = ev(
        "naermiljosentral",
        "Halloweenfest for barn",
        "2028-10-31T17:00",
        place="Borgen innbyggertorg",
        description="Kom utkledd! Før det leser biblioteket skumle historier kl. 15.30.",
    )
    stories = ev(
        "bibliotek",
        "Skumle historier – halloween i biblioteket",
        "2028-10-31T15:30",
        place="Borgen innbyggertorg",
    )
    assert verdict(party, stories) is None


def test_a_tour_meets_its_trailhead_named_by_one_word_in_its_title_or_text() -> None:
    dnt = ev(
        "dnt-asker",
        "Søndagstur: Vestmarka fra Kjaglidalen",
        "2045-09-17T09:30",
        place="Oppmøte: Borgen innbyggertorg (samkjøring)",
        description=(
            "Samkjøring fra Borgen kl. 09.30. Turstart fra parkeringen i Kjaglidalen ca. kl. 10.15."
            " Runde om Kjaglidalen og Småvann, ca. 13 km."
        ),
    )
    portal = ev(
        "aktivitetforalle",
        "Tur i Kjaglidalen",
        "2045-09-17T10:15",
        place="Kjaglidalen parkering, Vestmarka",
        description="Arrangør: DNT Asker. Turstart fra parkeringen i Kjaglidalen kl. 10.15. Ca. 13 km, middels.",
    )
    entries = prepare([dnt, portal], PRIORITY, OSLO)
    assert list(candidate_pairs(entries)) == [(0, 1)]
    assert verdict(dnt, portal) is not None
