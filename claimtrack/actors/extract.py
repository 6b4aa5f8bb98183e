"""Mentions in one sentence: gazetteer matches and capitalised name runs, with kind, country and role.

One sentence in, a list of ``ActorMention`` out. Gazetteer aliases are found first; other
people and organisations are capitalised name runs that the sentence itself marks as such
(a title, an attribution verb, an organisation head word); their country comes only from
the same sentence ("Kazakhstan's Tokayev", "the Kazakh Defense Ministry", "a Russian
presenter"). A mention is a ``speaker`` when an attribution verb or "according to" names it,
otherwise a ``subject``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from operator import attrgetter

from claimtrack.actors.capitals import capitals_end, load_capitals_gazetteer
from claimtrack.actors.gazetteer import Gazetteer, GazetteerEntry, _trie_alternation, load_gazetteer
from claimtrack.actors.kinds import COUNTRY, ORGANISATION, PERSON, PLACE, REGION, SPEAKER, SUBJECT
from claimtrack.actors.names import GLUE_KEEP_PREFIXES, GLUE_SPLIT, TITLE_WORDS, clean_person_name, same_actor
from claimtrack.models import ActorMention

MAX_BARE_NAME_TOKENS = 4  # longest run taken as a person without a title or attribution
APPOSITIVE_CHARS = 90  # how far after a name an appositive ("…, a Russian presenter") may reach
RUN_SHAPES_KEPT = 1 << 14  # distinct capitalised runs whose word analysis is cached
PERSON_PAIRS_KEPT = 1 << 12  # pairs of people's names compared within sentences, cached

ROLE_NOUNS = frozenset(
    """president minister presenter host anchor researcher director expert analyst spokesman
    spokeswoman spokesperson official ambassador journalist reporter correspondent professor
    scientist commentator lawyer leader chief head chairman chairwoman author writer economist
    historian deputy adviser advisor secretary general governor mayor senator officer founder
    executive ceo diplomat envoy pundit propagandist blogger activist politician lawmaker mp
    member commander colonel judge prosecutor biologist linguist scholar fellow candidate
    premier king queen prince dictator strongman ruler warlord personality ecologist physicist
    mathematician actor actress singer heiress attorney""".split()
)
STOP_WORDS = frozenset(
    """The A An In On At For But And Or Nor If As Since Yet This That These Those It Its He She
    They We I You His Her Their Our My Your There Here When While After Before During Despite
    Although Though Because However Moreover Also Now Then Still Some Many Most All No Not Only
    Even Such What Which Who Whom Whose Where Why How Do Does Did Is Are Was Were Be Been Has
    Have Had Will Would Can Could May Might Must Should Shall Of To From By With About Among
    Between Into Through Over Under Against Without Within Along Across Around Behind Beyond Like
    Unlike Until Upon So Thus Hence Therefore Meanwhile Furthermore Indeed Instead Otherwise
    Perhaps Recently Currently Today Yesterday Tomorrow Last Next Second Third One Two Three
    Four Five Six Seven Eight Nine Ten Each Every Both Either Neither Other Another Several Few
    More Less Much Any See Read Leave Join Sign Back Login Lost Look Brothers Of Course Aside
    Following Fast-forward Predictably Concerns Patterned Ever Already Please Click Share
    Follow Subscribe Related Photo Image Video Source Sources Update Updated Posted Published
    By Via Per Editor Editorial Comments Reply Home Menu Search Contact About Privacy Terms
    Copyright Ukrainian Western Eastern Northern Southern Central New Old Great Big Small""".split()
)
NON_ACTOR_WORDS = frozenset(
    """January February March April May June July August September October November December
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday
    Saturday Sunday Day Days Parade Curtain Iron War Wars Summit Era Age Revolution Crisis
    Internet Covid-19 COVID-19 Covid COVID Coronavirus God Christmas Easter Ramadan Olympics
    Games Cup Championship Championships Award Awards Prize Festival Week Month Year Marketplace
    Coin Top Steem Law Act Constitution Amendment Treaty Agreement Declaration Resolution
    Doctrine Plan Strategy Report Index Census Election Elections Referendum Program Programme
    Unprecedented Due Brutal Street Avenue Square River Lake Mountain Mount Island Islands Bay
    Sea Ocean Valley Province County City District Region Airport Station Hospital Bridge Highway
    Park Hall Tower Palace Stadium Arena Building Museum Cathedral Temple Mosque Hotel Area
    Dame Range Base Centre Field Test English Latin Greek Arabic Russian
    Chinese French German Spanish Dutch Islamic Muslim Christian Catholic Orthodox Jewish
    Buddhist Hindu Sunni Shia Turkic Slavic Tatars Tatar Greeks Georgians Pontian""".split()
)
ORG_HEADS = frozenset(
    """Ministry Department Council Organization Organisation Union Party Endowment Institute
    Institution University College School Academy Agency Forum Bank Fund Court Assembly Parliament
    Commission Committee Corporation Company Co. Inc. Inc Ltd Ltd. LLC Group Association Army Navy
    Force Forces Police Service Services Office News Times Post Network Channel Foundation Center
    Centre League Federation Alliance Front Movement Church Club Airlines Airways Press Media
    Television TV Radio Broadcasting Guard Guards Administration Government Cabinet Board Authority
    Bureau Trust Society Laboratory Labs Team Secretariat Initiative Project Coalition Brigade
    Battalion Regiment Exchange Holdings Industries Motors Systems Technologies Studios Records
    Magazine Journal Gazette Tribune Herald Review Observer Monitor Guardian Telegraph Daily
    Commonwealth Mission Corps Directorate Inspectorate Treasury Reserve Senate Parties Branch
    Congress Duma Rada Knesset Majlis Mazhilis Assembly Charity Rescue Brigades Bourse Co Corp Corp. Plc PLC AG
    GmbH KGaA NV N.V. SpA S.A. Bhd""".split()
)
ORG_LEADS = frozenset(
    """Ministry Department University Bank Institute Council Committee Office Academy Center Centre
    Association Federation Commission Organization Organisation Society Foundation Agency""".split()
)
ORG_CONNECTORS = frozenset({"of", "for", "on"})
CALENDAR_WORDS = frozenset(
    """January February March April May June July August September October November December Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday""".split()
)  # "in Washington Tuesday": no name glued to the place
ORG_CUES = frozenset(
    """charity firm company agency newspaper magazine broadcaster site website network channel
    airline bank nonprofit non-profit organisation organization party union startup outlet daily
    platform account group publisher tabloid think-tank watchdog carrier manufacturer maker
    retailer insurer""".split()
)
ORG_CUE_ENDINGS = frozenset(cue[-3:] for cue in ORG_CUES)
NAME_PARTICLES = frozenset("de van von der den da del dos du bin ibn al el la le di".split())
PARTICLE_LENGTHS = sorted({len(particle) for particle in NAME_PARTICLES}, reverse=True)
PARTICLE_ENDINGS = frozenset(particle[-2:] for particle in NAME_PARTICLES)
NAME_GLUE_WORDS = NAME_PARTICLES | {"of", "for", "and", "the", "on"}  # never the first or last word of a name
SPEAKER_VERBS = (
    "said|says|say|stated|states|told|tells|claimed|claims|argued|argues|warned|warns|explained|"
    "explains|recalled|recalls|added|adds|noted|notes|insisted|insists|assured|assures|announced|"
    "announces|declared|declares|denied|denies|wrote|writes|asserted|asserts|suggested|suggests|"
    "believes|believed|thinks|stressed|stresses|emphasized|emphasised|acknowledged|admitted|"
    "confirmed|confirms|alleged|alleges|contended|maintained|testified|tweeted|commented|"
    "remarked|replied|responded|stating|saying|telling|claiming|warning|insisting|adding"
)

SPEAKER_CUE_WORDS = ("according to", "According to", "say", "says", "said", "Say", "Says", "Said")

NAME_TOKEN = r"(?:[A-Z][\w'’.\-]*|(?:de|van|von|der|den|da|del|dos|du|bin|ibn|al|el|la|le|di)(?=\s+[A-Z]))"
NAME_RUN_TAIL = rf"(?:[ \t]+(?:(?:of|for|and|the|on)[ \t]+(?=[A-Z]))*{NAME_TOKEN})*"
CAPITALISED_RUN = re.compile(rf"[A-Z][\w'’.\-]*{NAME_RUN_TAIL}")
SPEAKER_AFTER = re.compile(
    rf"^(?:\s*,\s*[a-z][^,;.!?“”\"]{{0,{APPOSITIVE_CHARS}}},)?\s+(?:has |have |had |also |then |later |further |"
    rf"again |once |\w+ly )*(?:{SPEAKER_VERBS})\b"
)
SPEAKER_BEFORE = re.compile(
    rf"(?:(?:[”\"'’]|,)\s*,?\s*(?:{SPEAKER_VERBS})|\b[Aa]ccording to(?:\s+[a-z]+){{0,2}}|\b[Ss]ays?|\b[Ss]aid)"
    r"\s+(?:the\s+)?$"
)
ARTICLE_BEFORE = re.compile(r"\b[Tt]he\s+$")
ARTICLE_IN_CAPITALS_BEFORE = re.compile(r"\bTHE\s+$")
CAPITALISED_BEFORE = re.compile(r"([A-Z][\w'’.-]*)\s+$")
CAPITALISED_AFTER = re.compile(r"\s+([A-Z][\w'’.-]*)")
POSSESSIVE = re.compile(r"['’]s\b")
POSSESSIVE_ENDINGS = ("'s", "’s")  # the two characters after a possessive name
WORD = re.compile(r"\S+")
GLUED_AFTER = re.compile(r"[A-Z][a-z]+")
SENTENCE_OPENING = re.compile(r"[\s\"“‘'(\[*_#>-]*")
LOWER_WORD_BEFORE = re.compile(r"([a-z-]+)\s+$")
LOWER_WORD_AFTER = re.compile(r"\s+([a-z-]+)")
LOWER_WORDS = re.compile(r"[a-z-]+")
ACRONYM = re.compile(r"[A-Z]{2,6}")
APPOSITIVE = re.compile(rf"\s*,\s*([^,;.“”\"]{{1,{APPOSITIVE_CHARS}}})")
TITLE_GAP = re.compile(r"(?:['’]s)?\s*(?:(?:[A-Z][\w.-]*|[a-z]+-[A-Z][\w-]*)\s+){0,3}")
COMMA_GAP = re.compile(r",?\s*")
TITLE_OF_BEFORE = re.compile(r"\b[A-Z][\w-]*\s+(?:of|for)\s+(?:the\s+)?$")
TITLE_PREFIX = re.compile(r"[a-z]+-[A-Z][\w-]*")  # pro-Kremlin
OF_COUNTRY_AFTER = re.compile(r"\s+(?:of|from)\s+(?:the\s+)?")
LISTED_AND = re.compile(r"\s+and\s+")
QUOTE_LEAD = re.compile(r"[“\"]\s*$")
ITS_BEFORE = re.compile(r"\b[Ii]ts\s+$")


@dataclass(slots=True)
class Span:
    start: int
    end: int
    name: str
    kind: str
    country: str | None
    surface: str
    role: str = SUBJECT


@cache
def _speaker_cue() -> re.Pattern[str]:
    """Any attribution word in a sentence: a cheap test before the costly speaker rules."""
    cues = [*SPEAKER_VERBS.split("|"), *SPEAKER_CUE_WORDS]
    return re.compile(r"\b" + _trie_alternation(cues, lambda word: r"\b"))


class Context:
    """One sentence, its gazetteer spans, and facts several rules ask of it, each found once if at all.

    ``latent`` are places glued to a capitalised word, no actors by themselves, that may name
    the organisation they open ('Paris Bourse').
    """

    __slots__ = ("text", "known", "latent", "_has_cue")

    def __init__(self, text: str, known: list[Span], latent: list[Span]) -> None:
        self.text = text
        self.known = known
        self.latent = latent
        self._has_cue: bool | None = None

    def has_cue(self) -> bool:
        if self._has_cue is None:
            self._has_cue = _speaker_cue().search(self.text) is not None
        return self._has_cue


def extract_actors(text: str) -> list[ActorMention]:
    """The actors one sentence names, each once, with its kind, country and role."""
    known, latent = _gazetteer_spans(text, load_gazetteer())
    capitals = capitals_end(text)
    if capitals:
        known = _with_capitals_spans(text, capitals, known)
    context = Context(text, known, latent)
    found = context.known + _name_spans(context)
    if not found:
        return []
    found.sort(key=attrgetter("start"))
    if context.has_cue():
        for span in found:
            if _is_speaker(text, span):
                span.role = SPEAKER
    return _unique_mentions(found)


def _gazetteer_spans(text: str, gazetteer: Gazetteer) -> tuple[list[Span], list[Span]]:
    """The gazetteer's actors in ``text``, and the latent places (see ``Context``)."""
    spans: list[Span] = []
    latent: list[Span] = []
    for match in gazetteer.matches(text):
        surface = match.group()
        entry = gazetteer.entries[surface]
        if entry.ambiguous and _glued_to_name(text, match.start(), match.end()):
            if entry.kind in (COUNTRY, PLACE) and entry.country:
                latent.append(Span(match.start(), match.end(), entry.name, entry.kind, entry.country, surface))
            continue
        if entry.needs_article and not ARTICLE_BEFORE.search(text[max(0, match.start() - 5) : match.start()]):
            continue
        span = Span(match.start(), match.end(), entry.name, entry.kind, entry.country, surface)
        spans.append(_as_written(text, span, spans[-1].end if spans else 0) if entry.kind == PERSON else span)
    return spans, latent


def _with_capitals_spans(text: str, capitals: int, known: list[Span]) -> list[Span]:
    """A headline's gazetteer spans found in capitals instead; a dateline's added to those of the sentence."""
    shouted = _capitals_spans(text, capitals)
    if capitals == len(text):
        return shouted
    added = [span for span in shouted if not any(s.start < span.end and span.start < s.end for s in known)]
    return sorted(known + added, key=attrgetter("start")) if added else known


def _capitals_spans(text: str, end: int) -> list[Span]:
    spans = []
    for match, entry in load_capitals_gazetteer().matches(text, end):
        start, stop = match.span()
        if entry.ambiguous and _glued_to_name(text, start, stop, in_capitals=True):
            continue
        if entry.needs_article and not ARTICLE_IN_CAPITALS_BEFORE.search(text, max(0, start - 5), start):
            continue
        spans.append(Span(start, stop, entry.name, entry.kind, entry.country, match.group()))
    return spans


def _as_written(text: str, span: Span, floor: int) -> Span:
    """A known person with the words written around the alias: 'President Tokayev', 'Qasim-Jomart TokayevForced'.

    Titles and a given name just before a surname alias join the span, and so does a word glued
    after it. A given name that does not fit the known person makes another person ('Melania Trump').
    """
    start, given = span.start, []
    surname_only = " " not in span.surface
    for word_start, word in _words_before(text, floor, span.start):
        if _title_shaped(word):
            start = word_start
        elif start == span.start and surname_only and _given_name_shaped(word):
            start, given = word_start, [word]
        else:
            break
    glue = GLUED_AFTER.match(text, span.end)
    end = glue.end() if glue else span.end
    surface = text[start:end]
    full_name = " ".join([*given, span.surface])
    if not given or _same_person(span.name, None, full_name, None):
        return Span(start, end, span.name, span.kind, span.country, surface)
    if SENTENCE_OPENING.fullmatch(text, 0, start):
        return span  # 'Regarding Trump': a capitalised first word is no evidence of a given name
    return Span(start, end, full_name, span.kind, None, surface)  # another person of that surname


def _words_before(text: str, floor: int, end: int) -> Iterator[tuple[int, str]]:
    """(start, word) of the words before ``end``, nearest first, while one space separates them."""
    while end - 1 > floor and text[end - 1] == " ":
        start = max(floor, text.rfind(" ", floor, end - 1) + 1)
        if start == end - 1:
            return
        yield start, text[start : end - 1]
        end = start


def _title_shaped(word: str) -> bool:
    """'President', 'Vice-President'."""
    return word in TITLE_WORDS or all(part in TITLE_WORDS for part in word.split("-"))


def _given_name_shaped(word: str) -> bool:
    return (
        word[0].isupper()
        and word.replace("-", "").isalpha()
        and word not in STOP_WORDS
        and word not in NON_ACTOR_WORDS
        and word not in ORG_HEADS
    )


def _glued_to_name(text: str, start: int, end: int, in_capitals: bool = False) -> bool:
    """'George Washington', 'Washington Post', 'Jordan Peterson': a capitalised neighbour word.

    A title after the name is the place's ('Chad President Deby'), one before makes a person ('Judge Jackson').
    In capitals every word is capitalised: 'STRIKE IN ROTTERDAM' is read as 'Strike In Rotterdam'.
    """
    before = CAPITALISED_BEFORE.search(text[max(0, start - 30) : start])
    after = CAPITALISED_AFTER.match(text[end : end + 30])
    word_before, word_after = (m.group(1) if m else None for m in (before, after))
    if in_capitals:
        word_before, word_after = (word.capitalize() if word else None for word in (word_before, word_after))
    if word_before and word_before not in STOP_WORDS and word_before not in CALENDAR_WORDS:
        return True
    return bool(word_after) and not (
        word_after in STOP_WORDS or word_after in TITLE_WORDS or word_after in CALENDAR_WORDS
    )


def _name_spans(context: Context) -> list[Span]:
    text, known, latent = context.text, context.known, context.latent
    runs = [(start, end) for start, end in _name_runs(text) if text[start:end] not in STOP_WORDS]
    if not runs:
        return []
    places = sorted(known + latent, key=attrgetter("start")) if latent else known
    spans = list(_organisations_around_places(text, runs, places, latent)) if places else []
    taken = sorted(known + spans, key=attrgetter("start")) if spans else known
    for run_start, run_end in _runs_outside(runs, taken) if taken else runs:
        for part_start, part_end in _split_listed_names(text, run_start, run_end):
            span = _classify_run(context, part_start, part_end)
            if span is not None:
                spans.append(span)
    return spans


def _name_runs(text: str) -> list[tuple[int, int]]:
    """Where NAME_TOKEN followed by NAME_RUN_TAIL matches, leftmost first, as finditer would find it.

    Found from their capitals: the regex engine then skips in C from one capital to the next,
    where a particle's letters (a, d, e, i, l) would stop it everywhere. A run that starts with
    a particle ('de Gaulle') is a particle before a capitalised run, joined to it by spaces or tabs.
    """
    runs: list[tuple[int, int]] = []
    for match in CAPITALISED_RUN.finditer(text):
        start, end = match.span()
        spaced = start > 0 and text[start - 1].isspace()
        particle = _particle_before(text, start, runs[-1][1] if runs else 0) if spaced else None
        if particle is None:
            runs.append((start, end))
        elif text[particle[1] : start].strip(" \t"):
            runs += [particle, (start, end)]  # 'de' then a newline: the particle alone is a run
        else:
            runs.append((particle[0], end))
    return runs


def _particle_before(text: str, start: int, floor: int) -> tuple[int, int] | None:
    """The name particle that whitespace separates from ``start``, after ``floor``: 'del' of 'del Toro'."""
    end = start
    while end > floor and text[end - 1].isspace():
        end -= 1
    if end == start or text[end - 2 : end] not in PARTICLE_ENDINGS:
        return None
    for length in PARTICLE_LENGTHS:  # the longer particle starts first: 'del', not 'el'
        if end - length >= floor and text[end - length : end] in NAME_PARTICLES:
            return end - length, end
    return None


def _split_listed_names(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """'Chad Smith and Jordan Peterson' is two names; 'Belt and Road Initiative' stays one."""
    if text.find(" and ", start, end) < 0:
        return [(start, end)]
    run = text[start:end]
    if _organisation_shaped(run.split(), 0):
        return [(start, end)]
    parts, part_start = [], start
    for match in LISTED_AND.finditer(run):
        parts.append((part_start, start + match.start()))
        part_start = start + match.end()
    return parts + [(part_start, end)]


def _organisations_around_places(
    text: str, runs: list[tuple[int, int]], known: list[Span], latent: list[Span]
) -> Iterator[Span]:
    """'University of Calgary', 'Puerto Rico Center for Investigative Journalism': a body named after a place.

    A latent place names a body only with head words: 'Paris Bourse', not 'Chad Smith Foundation'.
    """
    for start, end in runs:
        inner = [span for span in known if start <= span.start and span.end <= end]
        if not inner or any(span.kind not in (COUNTRY, PLACE) for span in inner):
            continue
        if text.find(" ", start, end) < 0 and text.find("\t", start, end) < 0:
            continue  # one word is never organisation-shaped; runs are spaced by spaces and tabs only
        if any(POSSESSIVE.match(text[span.end : span.end + 2]) for span in inner):
            continue
        tokens = [_trim_token(text, a, b) for a, b in _tokens(text, start, end)]
        while tokens and text[tokens[0][0] : tokens[0][1]] in STOP_WORDS:
            tokens = tokens[1:]
        words = [text[a:b] for a, b in tokens]
        tokens, words = _after_a_person_of(tokens, words, inner[0].start)
        outside = [word for (a, b), word in zip(tokens, words) if not any(s.start <= a < s.end for s in inner)]
        if latent and any(span in latent for span in inner) and not all(_head_word(word) for word in outside):
            continue
        if outside and _organisation_shaped(words, 0) and tokens[0][0] <= inner[0].start:
            name = text[tokens[0][0] : tokens[-1][1]]
            yield Span(tokens[0][0], tokens[-1][1], name, ORGANISATION, inner[0].country, name)


def _after_a_person_of(
    tokens: list[tuple[int, int]], words: list[str], place_start: int
) -> tuple[list[tuple[int, int]], list[str]]:
    """'Jennifer Daskal of American University': the body starts after 'of' when no head word comes before it."""
    if "of" not in words:
        return tokens, words
    cut = words.index("of")
    if tokens[cut][1] > place_start or any(word in ORG_HEADS or word in ORG_LEADS for word in words[:cut]):
        return tokens, words
    return tokens[cut + 1 :], words[cut + 1 :]


def _head_word(word: str) -> bool:
    return word in ORG_HEADS or word in ORG_CONNECTORS or word == "the"


def _runs_outside(runs: list[tuple[int, int]], known: list[Span]) -> Iterator[tuple[int, int]]:
    """Capitalised runs, cut where a gazetteer span sits inside them."""
    for start, end in runs:
        for span in known:
            if span.end <= start or span.start >= end:
                continue
            if span.start > start:
                yield start, span.start
            start = max(start, span.end)
        if start < end:
            yield start, end


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in WORD.finditer(text[start:end])]


@dataclass(frozen=True, slots=True)
class PersonShape:
    """The person a run may name, by its words alone; offsets from the run's start."""

    name: str  # without titles and role nouns
    start: int
    titled: bool  # a title or role noun comes before the name
    needs_evidence: bool  # untitled and too short or too long for a bare name
    surface_end: int  # the name as written may run on: 'LewistonSaid'


@dataclass(frozen=True, slots=True)
class RunShape:
    """What the words of a capitalised run say by themselves; offsets from the run's start."""

    start: int  # of the first word kept
    end: int  # of the last word kept
    name: str  # the words kept
    organisation: bool  # 'Defense Ministry', 'Ministry of Defence'
    may_be_cued: bool  # an organisation if the sentence calls it one ('charity Sea-Eye')
    acronym: bool
    person: PersonShape | None


def _classify_run(context: Context, start: int, end: int) -> Span | None:
    shape = _run_shape(context.text[start:end])
    if shape is None:
        return None
    text = context.text
    first, last = start + shape.start, start + shape.end
    appositive = _appositive(text, last)
    if shape.organisation or (shape.may_be_cued and _org_cued(context, first, last, shape.acronym, appositive)):
        return Span(first, last, shape.name, ORGANISATION, _country_before(text, first, context.known), shape.name)
    if shape.person is None:
        return None
    return _person_span(context, start, shape, appositive)


def _person_span(context: Context, start: int, shape: RunShape, appositive: str) -> Span | None:
    text, known, person = context.text, context.known, shape.person
    first, name_start, name_end = start + shape.start, start + person.start, start + shape.end
    if person.needs_evidence and not (
        _role_appositive(appositive) or (context.has_cue() and _attributed(text, name_start, name_end))
    ):
        return None
    country = (
        _country_before(text, first, known)
        or _country_after(text, name_end, known, appositive)
        or (_country_of_its(text, first, known) if person.titled else None)
    )
    surface = text[first : start + person.surface_end]
    return Span(name_start, name_end, person.name, PERSON, country, surface)


@lru_cache(maxsize=RUN_SHAPES_KEPT)
def _run_shape(run: str) -> RunShape | None:
    """None when the words alone rule the run out, as most runs are: 'Monday', 'However'."""
    written = [word.span() for word in WORD.finditer(run)]
    tokens = [_trim_token(run, a, b) for a, b in _unglue_last(run, written)]
    words = [run[a:b] for a, b in tokens]
    if len(words) == 1 and (words[0] in NON_ACTOR_WORDS or words[0] in TITLE_WORDS):
        return None
    while words and (words[0] in STOP_WORDS or words[0].lower() in NAME_GLUE_WORDS):
        words, tokens = words[1:], tokens[1:]
    while words and words[-1].lower() in NAME_GLUE_WORDS:
        words, tokens = words[:-1], tokens[:-1]
    titles = 0
    while titles < len(words) and words[titles] in TITLE_WORDS:
        titles += 1
    if not words:
        return None
    organisation = _organisation_shaped(words, titles)
    may_be_cued = titles == 0 and NON_ACTOR_WORDS.isdisjoint(words) and STOP_WORDS.isdisjoint(words)
    person = None if organisation else _person_shape(run, written, tokens, words, titles)
    if not organisation and not may_be_cued and person is None:
        return None
    acronym = len(words) == 1 and ACRONYM.fullmatch(words[0]) is not None
    return RunShape(tokens[0][0], tokens[-1][1], " ".join(words), organisation, may_be_cued, acronym, person)


def _person_shape(
    run: str, written: list[tuple[int, int]], tokens: list[tuple[int, int]], words: list[str], titles: int
) -> PersonShape | None:
    while titles < len(words) and words[titles].lower() in ROLE_NOUNS:
        titles += 1
    name_words = words[titles:]
    if not name_words or not (NON_ACTOR_WORDS.isdisjoint(name_words) and STOP_WORDS.isdisjoint(name_words)):
        return None
    if any(not _name_shaped(word) for word in name_words):
        return None
    needs_evidence = titles == 0 and not 2 <= len(name_words) <= MAX_BARE_NAME_TOKENS
    glued_end = next(b for a, b in written if a == tokens[-1][0])
    surface_end = _trim_token(run, tokens[-1][0], glued_end)[1]
    return PersonShape(" ".join(name_words), tokens[titles][0], titles > 0, needs_evidence, surface_end)


def _trim_token(text: str, start: int, end: int) -> tuple[int, int]:
    """A sentence's full stop is not part of the last name, an initial's or a title's is."""
    last = text[end - 1]
    if last != "s" and last != ".":
        return start, end  # most words: a cheap test first
    word = text[start:end]
    if word.endswith(("'s", "’s")):
        return start, end - 2
    if word.endswith(".") and (len(word) > 3 or word.count(".") > 1) and word not in TITLE_WORDS:
        return start, end - 1
    return start, end


def _organisation_shaped(words: list[str], titles: int) -> bool:
    """'Defense Ministry', 'Ministry of Defence', 'District Court for …'; one bare head word is too vague."""
    if len(words) < 2 or titles == len(words):
        return False
    if words[-1] in ORG_HEADS or words[0] in ORG_LEADS:
        return True
    return any(word in ORG_HEADS and following in ORG_CONNECTORS for word, following in zip(words, words[1:]))


def _org_cued(context: Context, start: int, end: int, acronym: bool, appositive: str) -> bool:
    """'charity Sea-Eye', 'Time magazine', 'UpGuard, a cybersecurity firm', 'according to AFP'."""
    if _org_noun_around(context.text, start, end, appositive):
        return True
    return acronym and context.has_cue() and _attributed(context.text, start, end)


def _org_noun_around(text: str, start: int, end: int, appositive: str) -> bool:
    before = text[max(0, start - 20) : start]
    if before.rstrip()[-3:] in ORG_CUE_ENDINGS:  # a cheap test first: most names follow no such noun
        match = LOWER_WORD_BEFORE.search(before)
        if match and match.group(1) in ORG_CUES:
            return True
    after = LOWER_WORD_AFTER.match(text, end, end + 20)
    if after and after.group(1) in ORG_CUES:
        return True
    words = LOWER_WORDS.findall(appositive) if appositive else []
    return words[:1] in (["a"], ["an"], ["the"]) and any(word in ORG_CUES for word in words[1:4])


def _unglue_last(text: str, tokens: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Machine translation glues words: 'TokayevForced' -> 'Tokayev', and the run ends there."""
    if not tokens or GLUE_SPLIT.search(text, tokens[0][0], tokens[-1][1]) is None:
        return tokens
    for index, (start, end) in enumerate(tokens):
        word = text[start:end]
        if word.startswith(GLUE_KEEP_PREFIXES) and GLUE_SPLIT.search(word, 3) is None:
            continue
        cut = GLUE_SPLIT.search(word)
        if cut:
            return tokens[:index] + [(start, start + cut.start())]
    return tokens


def _name_shaped(word: str) -> bool:
    if len(word) < 2 and not word.endswith("."):
        return False
    if word.isupper() and len(word) > 1 and not word.endswith("."):
        return False
    return word[0].isupper() or word in NAME_PARTICLES


def _attributed(text: str, start: int, end: int) -> bool:
    return bool(
        SPEAKER_BEFORE.search(text[max(0, start - 40) : start])
        or SPEAKER_AFTER.match(text[end : end + APPOSITIVE_CHARS + 40])
    )


def _appositive(text: str, end: int) -> str:
    match = APPOSITIVE.match(text, end)
    return match.group(1) if match else ""


def _role_appositive(appositive: str) -> bool:
    if not appositive:
        return False
    words = LOWER_WORDS.findall(appositive.lower())
    return any(word in ROLE_NOUNS for word in words[:6])


def _country_before(text: str, start: int, known: list[Span]) -> str | None:
    """'Kazakhstan's Tokayev', 'Kazakh President …', 'President of Kazakhstan, …', 'the Kazakh Defense Ministry'."""
    previous = [span for span in known if span.end <= start and span.country and span.kind in (COUNTRY, PLACE)]
    if not previous:
        return None
    span = previous[-1]
    gap = text[span.end : start]
    if TITLE_GAP.fullmatch(gap):
        return span.country
    before = text[max(0, span.start - 40) : span.start]
    if COMMA_GAP.fullmatch(gap) and TITLE_OF_BEFORE.search(before):
        return span.country
    return None


def _country_of_its(text: str, start: int, known: list[Span]) -> str | None:
    """'Kazakhstan, an ally of Russia, … and its Deputy Foreign Minister …': 'its' is the subject, the first country."""
    if not ITS_BEFORE.search(text, max(0, start - 6), start):
        return None
    return next((span.country for span in known if span.end <= start and span.kind == COUNTRY and span.country), None)


def _country_after(text: str, end: int, known: list[Span], appositive: str) -> str | None:
    """'Hassan Rouhani of Iran', '…, a pro-Kremlin Russian presenter', '…, President of Kazakhstan'."""
    following = OF_COUNTRY_AFTER.match(text, end)
    if following:
        country = next((s.country for s in known if s.start == following.end() and s.kind == COUNTRY), None)
        if country:
            return country
    if not appositive or not any(word in ROLE_NOUNS for word in LOWER_WORDS.findall(appositive.lower())):
        return None
    offset = text.index(appositive, end)
    for span in known:
        if offset <= span.start < offset + len(appositive) and span.kind == COUNTRY and span.country:
            return span.country
    return None


def _is_speaker(text: str, span: Span) -> bool:
    if span.kind == REGION or text[span.end : span.end + 2] in POSSESSIVE_ENDINGS:
        return False
    before = text[max(0, span.start - 40) : span.start]
    after = text[span.end : span.end + APPOSITIVE_CHARS + 40]
    if SPEAKER_BEFORE.search(_strip_title_prefix(before)):
        return True
    return bool(SPEAKER_AFTER.match(after)) and not QUOTE_LEAD.search(before)


def _strip_title_prefix(before: str) -> str:
    """'said Russian President ' -> 'said ': titles between the verb and the name do not count."""
    words = before.split()
    entries = load_gazetteer().entries
    kept = len(words)
    while kept and _is_title_like(words[kept - 1], entries):
        kept -= 1
    return " ".join(words[:kept]) + " " if kept != len(words) else before


def _is_title_like(word: str, entries: dict[str, GazetteerEntry]) -> bool:
    return (
        word in TITLE_WORDS or word in entries or word.lower() in ROLE_NOUNS or TITLE_PREFIX.fullmatch(word) is not None
    )


def _unique_mentions(spans: list[Span]) -> list[ActorMention]:
    by_key: dict[tuple[str, str, str | None], ActorMention] = {}
    for span in spans:
        if span.kind == PERSON and not clean_person_name(span.name):  # titles alone: "Member State"
            continue
        key = (span.name, span.kind, span.country)
        if key not in by_key:
            by_key[key] = ActorMention(span.name, span.kind, span.country, span.role, span.surface)
        elif span.role == SPEAKER:
            by_key[key] = replace(by_key[key], role=SPEAKER)
    return _merge_person_variants(list(by_key.values()))


def _merge_person_variants(mentions: list[ActorMention]) -> list[ActorMention]:
    """Within one sentence, 'Tokayev' after 'Kassym-Jomart Tokayev' is the same person."""
    people = [m for m in mentions if m.kind == PERSON]
    if len(people) < 2:
        return mentions
    return [mention for mention in mentions if mention.kind != PERSON or not _has_longer_twin(mention, people)]


def _has_longer_twin(mention: ActorMention, people: list[ActorMention]) -> bool:
    return any(
        len(p.name) > len(mention.name)
        and not (p.country and mention.country and p.country != mention.country)  # same_actor's first test
        and _same_person(p.name, p.country, mention.name, mention.country)
        for p in people
    )


@lru_cache(maxsize=PERSON_PAIRS_KEPT)
def _same_person(name: str, country: str | None, other_name: str, other_country: str | None) -> bool:
    """``same_actor`` of two people, who recur in a corpus as their names do."""
    return same_actor(ActorMention(name, PERSON, country), ActorMention(other_name, PERSON, other_country))


def sentence_countries(mentions: Iterable[ActorMention]) -> list[str]:
    """The alpha-2 codes a claim is about: those of its actors, in order, each once."""
    return list(dict.fromkeys(m.country for m in mentions if m.country))
