"""Two events of one slot that are each other's clear best join, unless their titles tell them
apart: kinds of activity, organisers, one kind said with two different qualifiers, a programme
(aggregator/dedup/relative.py ``slot_proposals``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aggregator.dedup import cluster
from aggregator.dedup.keys import concept_tokens, kinds, title_tokens
from aggregator.dedup.match import prepare
from aggregator.dedup.relative import slot_proposals
from aggregator.errors import ConfigError
from aggregator.model import EventRecord
from aggregator.settings import from_dict
from tests.dedup.test_dedup import OSLO, PRIORITY, ev, verdict
from tests.dedup.test_places import SQUARE
from tests.dedup.test_relative import notice

#: The organisers' names as settings.toml ships them (``[sources.<id>] names``).
NAMES = {
    "dnt-asker": ("DNT Asker", "Asker Turlag", "DNT"),
    "frivilligsentral": ("Asker frivilligsentral",),
    "borgen-il": ("Borgen IL", "Borgen idrettslag"),
}

#: Listings of the same morning at other hours and places: the words' weights are taken over a
#: realistic input, as in a real run.
MORNING = [
    ev(
        "bibliotek",
        "Babysang",
        "2033-02-01T12:00",
        place="Borgen bibliotek",
        description="Sang og regler for de minste.",
    ),
    ev(
        "husflidslag",
        "Strikkekafé",
        "2033-02-01T18:00",
        place="Borgen innbyggertorg",
        description="Ta med strikketøyet. Kaffe og vafler.",
    ),
    ev(
        "borgen-il",
        "Allidrett 6–9 år",
        "2033-02-01T17:00",
        place="Borgen skole, gymsal",
        description="Lek og ballspill.",
    ),
]


def joined(*records: EventRecord) -> list[list[str]]:
    """The clusters of more than one listing among ``records`` (with the morning's others), as
    sorted titles."""
    found = cluster([*MORNING, *records], PRIORITY, OSLO, same_places=SQUARE, names=NAMES)
    everything = [*MORNING, *records]
    return sorted(sorted(everything[i].title for i in g.members) for g in found if len(g.members) > 1)


def test_two_listings_alone_in_their_slot_are_one_event() -> None:
    portal = ev(
        "aktivitetforalle",
        "Seniorgym – trening for 65+",
        "2033-02-01T10:00",
        place="Borgen innbyggertorg, Søndre Borgen 11, 1388 Borgen",
        description="Styrke og balanse. Arrangør: Borgen nærmiljøsentral.",
    )
    own = ev(
        "naermiljosentral", "Seniortrim", "2033-02-01T10:00", place="Borgen nærmiljøsentral, Søndre Borgen 11"
    )
    # the titles share no word: the pair rules see two events ...
    assert verdict(portal, own) is None
    # ... but nothing else happens at the square at 10, and both are exercise
    assert joined(portal, own) == [["Seniorgym – trening for 65+", "Seniortrim"]]
    found = cluster([*MORNING, portal, own], PRIORITY, OSLO, same_places=SQUARE, names=NAMES)
    (pair,) = [g for g in found if len(g.members) > 1]
    assert "one slot, each the other's best text match" in pair.links[0].reasons[0]


def test_a_slot_with_two_candidates_joins_neither() -> None:
    portal = ev("aktivitetforalle", "Trening for seniorer", "2033-02-01T10:00", place="Borgen innbyggertorg")
    gym = ev("naermiljosentral", "Seniortrim", "2033-02-01T10:00", place="Borgen innbyggertorg")
    assert joined(portal, gym) == [["Seniortrim", "Trening for seniorer"]]
    # seniors' yoga a quarter of an hour later: the portal's "Trening" could be either
    yoga = ev("frivilligsentral", "Yoga for seniorer", "2033-02-01T10:15", place="Borgen innbyggertorg")
    assert joined(portal, gym, yoga) == []


def test_different_kinds_of_activity_at_one_slot_stay_apart() -> None:
    for a, b in (
        ("Yoga på dagtid", "Pilates"),
        ("Quiz på torget", "Sjakkveld for alle"),
        ("Bondens marked", "Klesbyttedag"),
    ):
        first = ev(
            "aktivitetforalle", a, "2033-02-01T10:00", place="Borgen innbyggertorg", description="Velkommen!"
        )
        second = ev(
            "borgen-manuelt", b, "2033-02-01T10:00", place="Borgen innbyggertorg", description="Velkommen!"
        )
        assert joined(first, second) == [], (a, b)


def test_kinds_of_activity_are_read_from_title_words() -> None:
    def of(title: str) -> frozenset[str]:
        return kinds(concept_tokens(title_tokens(title)))

    assert of("Strikkekurs for nybegynnere") == {"strikking"}
    assert of("Søndagstur med DNT") == {"tur"}
    assert of("Sunday hike to Vardåsen") == {"tur"}  # the English word through the lexicon
    assert of("11.00 - 14.00: Fiksekafé") == {"reparasjon"}
    assert of("Åpen korøvelse") == {"musikk"}
    # a word that merely ends like one is no kind; a format or an audience is none either
    assert of("Kultur for alle") == frozenset()
    assert of("Aktivitet for barn") == frozenset()
    assert of("Bokkafé for voksne") == {"bok"}
    assert of("Gåtur for seniorer") == {"tur"}  # a short modifier is still a modifier
    assert of("Seniornett: hjelp med mobil og PC") == {"digital"}
    assert of("Kreativt verksted for barn") == {"verksted"}
    assert of("Sykkelverksted") == {"verksted", "reparasjon"}  # shares a kind with "Sykkelreparasjon"


def test_two_tours_by_two_organisers_at_one_slot_stay_apart() -> None:
    dnt = ev(
        "borgen-manuelt",
        "DNT seniortur til Semsvannet",
        "2032-04-20T10:00",
        place="Borgen innbyggertorg",
        description="Kaffe på torget fra kl. 10, avgang 10.30.",
    )
    walk = ev(
        "naermiljosentral",
        "Tirsdagsturen",
        "2032-04-20T10:00",
        place="Borgen nærmiljøsentral, Søndre Borgen 11",
        description="Gå-gruppe med frivilligsentralen.",
    )
    assert joined(dnt, walk) == []
    # the volunteer centre's listing of DNT's group names DNT: one organiser, one tour
    group = ev(
        "frivilligsentral",
        "10.00 - 13.00: Turgruppe for seniorer (DNT)",
        "2032-04-20T10:00",
        place="Oppmøte Borgen innbyggertorg",
    )
    assert joined(dnt, group) == [
        ["10.00 - 13.00: Turgruppe for seniorer (DNT)", "DNT seniortur til Semsvannet"]
    ]


def test_one_kind_with_two_qualifiers_is_two_events() -> None:
    summit = ev("dnt-asker", "Søndagstur til Vardåsen", "2028-03-26T10:00", place="Borgen innbyggertorg")
    pram = ev(
        "aktivitetforalle", "Søndagstur med barnevogn", "2028-03-26T10:00", place="Borgen innbyggertorg"
    )
    # the second look proposes nothing for them (the pair rules still join these two on the
    # shared "Søndagstur": the fourth labelled file's one false merge, BENCHMARKS.md)
    entries = prepare([*MORNING, summit, pram], PRIORITY, OSLO, SQUARE, (), NAMES)
    alone = [[i] for i in range(len(entries))]
    assert list(slot_proposals(entries, alone)) == []
    # a walk that says nothing of its own is no such pair
    walk = ev(
        "aktivitetforalle",
        "Søndagstur",
        "2028-03-26T10:00",
        place="Borgen innbyggertorg",
        description="Velkommen!",
    )
    entries = prepare([*MORNING, summit, walk], PRIORITY, OSLO, SQUARE, (), NAMES)
    assert [p.reasons[0][:8] for p in slot_proposals(entries, [[i] for i in range(len(entries))])] == [
        "one slot"
    ]


def test_a_programme_joins_none_of_its_happenings() -> None:
    programme = ev(
        "aktivitetforalle",
        "Vinterferieaktiviteter for barn",
        "2027-02-24T10:00",
        place="Borgen innbyggertorg",
    )
    skating = ev("borgen-il", "Skøyteskole", "2027-02-24T10:00", place="Borgen innbyggertorg")
    assert joined(programme, skating) == []
    # a news post "this is what happens" is not the one happening it shares a word with
    homework = ev("frivilligsentral", "Leksehjelp – høstferie", "2036-09-29T16:00", place="Borgen bibliotek")
    overview = ev("borgen-nyheter", "Høstferie på Borgen: dette skjer", "2036-09-29T16:00", place=None)
    assert verdict(homework, overview) is None


def test_one_title_in_two_texts_is_one_event() -> None:
    # the weekly circle's name is common that season, the texts say different things: the
    # titles alone say it is one meeting
    portal = ev(
        "aktivitetforalle",
        "Lesesirkel",
        "2038-04-14T18:00",
        place="Borgen bibliotek, Søndre Borgen 11, 1388 Borgen",
        description="Samtale om bøker. Gratis. Arrangør: Asker bibliotek.",
    )
    library = ev(
        "bibliotek",
        "Lesesirkel: påskekrim",
        "2038-04-14T18:00",
        place="Møterommet, 2. etg",
        description="Vi diskuterer hver vår egen påskekrim. Kom og få tips før påske!",
    )
    earlier = [
        ev("bibliotek", "Lesesirkel", f"2038-0{m}-10T18:00", place="Borgen bibliotek", description=d)
        for m, d in (
            (1, "Vi leser en roman i måneden."),
            (2, "Ny bok: «Isvinter»."),
            (3, "Vi snakker om noveller."),
        )
    ]
    assert joined(*earlier, portal, library) == [["Lesesirkel", "Lesesirkel: påskekrim"]]


def test_nordic_walking_is_not_a_hike() -> None:
    walk = ev(
        "aktivitetforalle",
        "Aktiv på dagtid – stavgang",
        "2035-10-16T10:00",
        place="Oppmøte Borgen innbyggertorg",
        description="Stavgang i rolig tempo, ca. 1 time. Staver kan lånes.",
    )
    hike = ev(
        "dnt-asker",
        "Tirsdagstur for seniorer: Gjellumvannet",
        "2035-10-16T10:30",
        place="Oppmøte: Borgen innbyggertorg, parkeringsplassen",
        description="Enkel. Rolig tur rundt Gjellumvannet med kaffepause. Ca. 2,5 timer.",
    )
    assert joined(walk, hike) == []


def test_a_cluster_with_one_listing_elsewhere_is_not_in_the_slot() -> None:
    # the square's clean-up, told by three sources, one without a place, and the club's work
    # day at the pitch at the same hour
    pitch = ev("borgen-il", "Vårdugnad på Borgen kunstgress", "2039-04-30T10:00", place="Borgen kunstgress")
    portal = ev("aktivitetforalle", "Dugnad", "2039-04-30T10:00", place="Søndre Borgen 11, 1388 Borgen")
    square = ev("borgen-manuelt", "Ryddedugnad 🧤", "2039-04-30T10:00", place="Oppmøte ved torget")
    found = joined(pitch, portal, square)
    assert not any("Vårdugnad på Borgen kunstgress" in g for g in found)


def test_a_news_headline_is_no_qualifier() -> None:
    # the market told by its organiser, the square, and a news post with its own headline; the
    # portal's listing says the same market in other words
    market = ev(
        "borgen-manuelt",
        "Julemarked i storsalen 🎅",
        "2040-12-01T11:00",
        place="storsalen",
        description="Velkommen!",
    )
    news = notice(
        "borgen-nyheter",
        "Snart julemarked: håndlaget, vafler og lodd",
        "2040-12-01",
        "Husflidslaget fyller storsalen med strikk, tre og keramikk.",
    )
    portal = ev(
        "aktivitetforalle",
        "Julemarked med husflid og håndverk",
        "2040-12-01T11:00",
        place="Søndre Borgen 11, 1388 Borgen",
        description="Arrangør: Asker husflidslag. Gratis inngang.",
    )
    entries = prepare([*MORNING, market, news, portal], PRIORITY, OSLO, SQUARE, (), NAMES)
    n = len(MORNING)
    found = list(slot_proposals(entries, [*[[i] for i in range(n)], [n, n + 1], [n + 2]]))
    assert [(p.member, p.other) for p in found] in (
        [(n + 2, n)],
        [(n, n + 2)],
        [(n + 2, n + 1)],
        [(n + 1, n + 2)],
    )


def test_an_operators_kinds_keep_two_things_to_do_apart() -> None:
    # padel and boccia are no kinds the shipped lexicon knows: alone at one hour for the same
    # audience, the slot look takes them for one event ...
    padel = ev("aktivitetforalle", "Padel for seniorer", "2033-02-01T10:00", place="Borgen innbyggertorg")
    boccia = ev("frivilligsentral", "Boccia for seniorer", "2033-02-01T10:00", place="Borgen innbyggertorg")
    assert joined(padel, boccia) == [["Boccia for seniorer", "Padel for seniorer"]]
    # ... until the operator names them (settings: [aggregator] kinds), a compound included
    operator = (("padel", ("padel",)), ("boccia", ("boccia",)))
    found = cluster(
        [*MORNING, padel, boccia], PRIORITY, OSLO, same_places=SQUARE, names=NAMES, kinds=operator
    )
    assert all(len(g.members) == 1 for g in found)
    (entry, _) = prepare([padel, boccia], PRIORITY, OSLO, kinds=operator)
    assert kinds(["padelturnering"], entry.more_kinds) == {"padel"}


def test_the_kinds_setting_is_validated(tmp_path: Path) -> None:
    s = from_dict({"aggregator": {"kinds": {"padel": ["padel", "Padeltennis"]}}}, tmp_path / "settings.toml")
    assert s.kinds == (("padel", ("padel", "padeltennis")),)
    for bad, where in (
        ({"padel": "padel"}, "aggregator.kinds.padel"),
        ({"padel": ["pa"]}, "aggregator.kinds.padel[0]"),
        ({"padel": ["padel tennis"]}, "aggregator.kinds.padel[0]"),
        (["padel"], "aggregator.kinds"),
    ):
        with pytest.raises(ConfigError, match=re.escape(where)):
            from_dict({"aggregator": {"kinds": bad}}, tmp_path / "settings.toml")


def test_a_kind_of_activity_counts_as_a_word_both_titles_say() -> None:
    # "Ryddedugnad" and "Rusk-aksjon: vi rydder" share no word of their own, but both say a work
    # day; nothing else happens at the square at ten
    own = ev(
        "naermiljosentral",
        "Ryddedugnad i nærmiljøet",
        "2044-04-23T10:00",
        place="Oppmøte ved hovedinngangen",
        description="Sekker og hansker blir delt ut. Pølser etterpå.",
    )
    square = ev(
        "borgen-manuelt",
        "Rusk-aksjon: vi rydder rundt torget 🌱",
        "2044-04-23T10:00",
        place="utenfor hovedinngangen",
        description="Velkommen! Pølser til alle som hjelper.",
    )
    assert joined(own, square) == [["Rusk-aksjon: vi rydder rundt torget 🌱", "Ryddedugnad i nærmiljøet"]]


def test_a_party_holds_a_meal_at_one_slot() -> None:
    # "fest" and "mat" are two kinds, but a party is where the meal is served
    party = ev(
        "frivilligsentral",
        "Eldretreff: Fårikålfest",
        "2033-02-01T11:00",
        place="Borgen innbyggertorg",
        description="11.00 - 14.00. Fårikål og allsang på fårikålens festdag. Påmelding innen mandag.",
    )
    centre = ev("naermiljosentral", "Eldretreff – fårikål", "2033-02-01T11:00", place="Storsalen")
    lunch = ev(
        "borgen-manuelt",
        "Fårikållunsj for eldre 🍲",
        "2033-02-01T11:30",
        place="storsalen",
        description="Servering fra 11.30. Påmelding til frivilligsentralen.",
    )
    assert joined(party, centre, lunch) == [
        ["Eldretreff – fårikål", "Eldretreff: Fårikålfest", "Fårikållunsj for eldre 🍲"]
    ]


def test_a_happenings_theme_is_a_word_of_its_titles() -> None:
    # "Vårslipp" and "Vårfest" share no word but one happening (lexicon.toml [themes])
    manual = ev("borgen-manuelt", "Vårslipp på torget", "2033-02-01T10:00", place="torget")
    portal = ev("aktivitetforalle", "Vårfest for hele familien", "2033-02-01T10:00", place="Søndre Borgen 11")
    assert joined(manual, portal) == [["Vårfest for hele familien", "Vårslipp på torget"]]
    # a party does not hold another happening of its theme: the spooky story hour is the library's
    party = ev("naermiljosentral", "Halloweenfest for barn", "2033-02-01T17:00", place="Borgen innbyggertorg")
    stories = ev("bibliotek", "Skummel eventyrstund", "2033-02-01T17:00", place="Borgen bibliotek")
    assert joined(party, stories) == []


def test_three_listings_each_as_like_the_other_two_are_one_event() -> None:
    # none is anyone's clear best, but the three are each other's two best and share no source
    portal = ev(
        "aktivitetforalle",
        "Bytt og bruk: klesbyttemarked",
        "2033-02-01T10:30",
        place="Borgen innbyggertorg, Søndre Borgen 11, 1388 Borgen",
        description="Bytt barneklær, voksenklær og leker. Gratis. Arrangør: Borgen nærmiljøsentral.",
    )
    manual = ev(
        "borgen-manuelt",
        "Byttedag – klær og leker ♻️",
        "2033-02-01T10:30",
        place="storsalen",
        description="Vi åpner 10.30. Lever inn tøy i resepsjonen uka før. Velkommen!",
    )
    centre = ev("naermiljosentral", "Klesbyttedag", "2033-02-01T11:00", place="Storsalen")
    match = ev(
        "borgen-il",
        "Borgen G13 – Vollen",
        "2033-02-01T11:00",
        place="Borgenhallen",
        description="Sluttspill G13.",
    )
    assert joined(portal, manual, centre, match) == [
        ["Bytt og bruk: klesbyttemarked", "Byttedag – klær og leker ♻️", "Klesbyttedag"]
    ]
