"""Name variants of one actor: titles and glue dropped, spellings folded, two names compared.

'President Qasim-Jomart TokayevForced', 'Tokayev' and 'Kassym-Jomart Tokayev' are one person:
``clean_person_name`` strips the title and the machine-translation glue, ``person_key`` folds
the surname so transliterations meet, ``same_actor`` decides, ``aliases_of`` lists the forms a
mention adds to its actor.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from claimtrack.actors.gazetteer import APOSTROPHES, _fold_key
from claimtrack.actors.kinds import PERSON, Actor
from claimtrack.models import ActorMention

SURNAME_SIMILARITY = 75.0  # rapidfuzz ratio of folded surnames for two spellings of one person
GIVEN_NAME_SIMILARITY = 80.0  # same for given names, when both are known

TITLE_WORDS = frozenset(
    """President Vice Prime Minister Deputy Foreign Defense Defence Interior Finance Emergencies
    Economy Health Education Justice Chancellor King Queen Prince Princess Crown Senator Sen.
    Governor Gov. Mayor General Gen. Secretary Secretary-General Ambassador Director Chairman
    Chairwoman Chair Speaker Representative Rep. Mr. Mrs. Ms. Dr. Mr Mrs Ms Dr Professor Prof.
    Pope Bishop Archbishop Cardinal Emeritus Sheikh Emir Sultan Colonel Col. Lieutenant Lt. Major
    Captain Capt. Admiral Marshal Judge Chief Commander Leader Spokesman Spokeswoman
    Spokesperson Premier Presenter Host Former Acting Regional Attorney Detective Inspector
    Sergeant Sgt. Agent Coach Officer First Lady Presidential Press Pastor Rabbi Imam Father
    Sister Brother Saint Lord Lady Sir Dame Duke Duchess Opposition Party State""".split()
)
GLUE_KEEP_PREFIXES = ("Mc", "Mac", "De", "Di", "Da", "Le", "La", "Van", "Von", "O'", "O’")
GLUE_SPLIT = re.compile(r"(?<=[a-z]{2})(?=[A-Z][a-z])")
SPELLING_FOLDS = (("kh", "h"), ("ph", "f"), ("ck", "k"), ("q", "k"), ("w", "v"), ("y", "i"), ("x", "ks"))
VOICED_TO_VOICELESS = str.maketrans("dgbzv", "tkpsf")
HARD_C = re.compile(r"c(?!h)")
GLIDE_I = re.compile(r"(?<=[aeiou])i(?=[aeiou])")
DOUBLED = re.compile(r"(.)\1+")
VOWELS = re.compile(r"[aeiou]")


NAME_CACHE_SIZE = 1 << 16  # names a process remembers the cleaned form and aliases of: they recur in every document


@lru_cache(maxsize=NAME_CACHE_SIZE)
def clean_person_name(name: str) -> str:
    """Drop titles and machine-translation glue: 'President Qasim-Jomart TokayevForced' -> 'Qasim-Jomart Tokayev'."""
    words = name.translate(APOSTROPHES).split()
    while words and words[0] in TITLE_WORDS:
        words = words[1:]
    cleaned = []
    for word in words:
        cut = None if word.startswith(GLUE_KEEP_PREFIXES) else GLUE_SPLIT.search(word)
        cleaned.append(word[: cut.start()] if cut else word)
        if cut:
            break
    return " ".join(cleaned)


def _fold_name(word: str) -> str:
    """A spelling-blind form for transliterations: Kassym/Qasim, Tigran/Dikran, Tokayev/Tokaev."""
    text = _fold_key(word).replace("-", "")
    for old, new in SPELLING_FOLDS:
        text = text.replace(old, new)
    text = HARD_C.sub("k", text).translate(VOICED_TO_VOICELESS)
    text = GLIDE_I.sub("", text)
    return DOUBLED.sub(r"\1", text)


def _skeleton(folded: str) -> str:
    return VOWELS.sub("", folded)


def person_key(name: str) -> str:
    """Merge key of a person's surname: 'Kassym-Jomart Tokayev', 'President Tokayev', 'TokayevForced' -> one key."""
    words = clean_person_name(name).split()
    return _fold_name(words[-1]) if words else ""


def _given_and_surname(name: str) -> tuple[str, str]:
    words = clean_person_name(name).split()
    if not words:
        return "", ""
    return " ".join(words[:-1]), words[-1]


def same_actor(a: ActorMention | Actor, b: ActorMention | Actor) -> bool:
    """Two names of one actor: same kind and country, and for people a matching surname and given name."""
    if a.kind != b.kind:
        return False
    if a.country and b.country and a.country != b.country:
        return False
    if a.kind != PERSON:
        return _fold_key(a.name) == _fold_key(b.name)
    given_a, surname_a = _given_and_surname(a.name)
    given_b, surname_b = _given_and_surname(b.name)
    fold_a, fold_b = _fold_name(surname_a), _fold_name(surname_b)
    if not fold_a or not fold_b:
        return False
    if fold_a != fold_b and (_skeleton(fold_a) != _skeleton(fold_b) or fuzz.ratio(fold_a, fold_b) < SURNAME_SIMILARITY):
        return False
    if not given_a or not given_b:
        return True
    given_fold_a, given_fold_b = _fold_name(given_a), _fold_name(given_b)
    if given_fold_a == given_fold_b or fuzz.ratio(given_fold_a, given_fold_b) >= GIVEN_NAME_SIMILARITY:
        return True
    return bool(a.country and a.country == b.country and _skeleton(given_fold_a) == _skeleton(given_fold_b))


def aliases_of(mention: ActorMention) -> frozenset[str]:
    """The names a mention adds to its actor: the words as written and, for a person, the bare name.

    'President Tokayev' gives itself and 'Tokayev'; 'Qasim-Jomart TokayevForced' gives itself,
    'Qasim-Jomart Tokayev' and the glued surname 'TokayevForced' as written. A title stays in the
    written form so every variant can be searched.
    """
    return _aliases(mention.surface, mention.kind == PERSON)


@lru_cache(maxsize=NAME_CACHE_SIZE)
def _aliases(surface: str, person: bool) -> frozenset[str]:
    written = " ".join(surface.split())
    if not written:
        return frozenset()
    if not person:
        return frozenset({written})
    bare = clean_person_name(written)
    if not bare:
        return frozenset({written})
    glued = written.split()[-1]
    return frozenset({written, bare} | ({glued} if glued != bare.split()[-1] else set()))
