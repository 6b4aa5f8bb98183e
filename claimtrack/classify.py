"""Tell claims from headings, questions and boilerplate, one sentence at a time.

Runs on every sentence of every document, so it only uses precompiled regular
expressions and counts; the line the sentence sits on gives the layout
(standalone, first line, heading markup) that a sentence alone cannot show.
"""

from __future__ import annotations

import re

from claimtrack.clean import (
    CALL_TO_ACTION_LEAD,
    CALL_TO_ACTION_OBJECT,
    DISCLAIMER,
    Probe,
    ends_with_final_punctuation,
    is_credit,
)
from claimtrack.models import BOILERPLATE, CLAIM, HEADING, QUESTION, Line

# A line without final punctuation is a title when it is this short, wherever it stands...
MAX_INLINE_TITLE_WORDS = 10
# ...and up to this long when it stands alone or opens the document (a headline).
MAX_HEADLINE_WORDS = 25
# No title is longer than this, whatever its words.
MAX_TITLE_CHARACTERS = 300
# A "sentence" longer than this is a run of text the splitter could not break (a table, a dump), not a claim.
MAX_CLAIM_CHARACTERS = 3_000
# A sentence this short with no lowercase content word is debris ("Central Asia ?"), a reply ("Yes.") or,
# when it is a sentence in form, short prose ("Regen.", "Llueve.").
MAX_FRAGMENT_WORDS = 4
# A short sentence in form needs this many letters before its full stop ("Dr." and "Ул." are debris).
MIN_SHORT_SENTENCE_LETTERS = 4
# A dateline is no longer than this ("Frankfurt am Main, Montag, 14. Juni 2021 (dpa) -").
MAX_DATELINE_CHARACTERS = 80
MAX_DATELINE_SPACES = 9
# Call-to-action and disclaimer phrasing inside longer sentences is usually quoted, not junk.
MAX_CALL_TO_ACTION_WORDS = 20
MAX_DISCLAIMER_WORDS = 45

# A full stop after a lowercase word inside the line: the line holds prose, not a title ("Mr." and "U.S." do not count).
INNER_FULL_STOP = re.compile(r"(?<![A-Z])[^\W\d_A-Z]{2,}[.…][\"'”’)\]]*\s+\S")
QUESTION_END = re.compile(r"\?[\"'”’»)\]]*$")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Replies and interjections, in the languages tested: a sentence of these alone states nothing.
INTERJECTIONS = frozenset(
    """
    yes yeah yep yup nope nah ok okay oh ah aha um uh uhm er erm mm hmm hm well right sure correct exactly
    absolutely definitely probably literally indeed thanks thank bye goodbye hi hello hey ciao wow great
    cheers please sorry oops
    ja jawohl jein nein nee doch genau klar gut danke bitte hallo tschüss servus moin tja ach äh ähm naja stimmt
    richtig sicher natürlich prima super
    oui ouais non merci bonjour bonsoir salut voilà bon bien euh hein d'accord exactement absolument pardon
    sí vale claro gracias hola adiós bueno pues vaya exacto exactamente perfecto venga vamos
    да нет ну ага угу спасибо привет пока ладно хорошо конечно точно ой ах эх
    """.split()
)
# A short question that opens with one of these is one even with French spacing ("Pourquoi ?"), unlike
# machine-translation debris ("Central Asia ?").
INTERROGATIVES = frozenset(
    """
    why how what when where who whom whose which
    warum wieso weshalb wie was wann wo wer welche welcher welches
    pourquoi comment quoi quand où qui quel quelle quels quelles combien
    por qué cómo cuándo dónde quién quiénes cuál cuánto cuántos
    почему зачем как что когда где кто какой сколько
    """.split()
)
# Ends like a sentence: a final mark right after a word ("Regen."), not one standing apart ("Central Asia ?").
SENTENCE_END = re.compile(r"[^\W_][.!?…]+[\"'”’»)\]]*$")
SENTENCE_START = re.compile(r"[\"'“„«‘¡¿]*([^\W\d_])")  # not "((WN)) Okay.": a transcript's speaker label
# "Don BlankenshipImage: Brianhayden1980.", "Harry Browne Image: Carolmooredc.": a caption run into a name.
CAPTION_DEBRIS = re.compile(
    r"[a-z]{3}[A-Z]|\b(?:Image|Photo|Picture|Credit|Source|Foto|Bild|Quelle|Fuente|Crédit|Источник|Фото):"
)
_MONTH = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"
    "|januar|jänner|februar|märz|juni|juli|oktober|dezember|mär|okt|dez"
    "|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    "|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
    "|январ[ьяе]|феврал[ьяе]|марта?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|августа?|сентябр[ьяе]|октябр[ьяе]"
    "|ноябр[ьяе]|декабр[ьяе]"
)
_WEEKDAY = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    "|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag"
    "|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    "|lunes|martes|miércoles|jueves|viernes|sábado|domingo"
    "|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье"
)
DIGIT = re.compile(r"\d")  # a dateline gives a day or a year
# "Darmstadt - Januar 2021", "Berlin, den 14. Juni 2021", "Paris, le 3 mars 2021", "Madrid, 3 de marzo de
# 2021", "МОСКВА, 3 марта", "ALMATY, June 18", a date alone: the place and date a report was filed from.
DATELINE = re.compile(
    rf"""
    (?:[^\W\d_][\w.'’-]*(?:\s+[\w.'’-]+){{0,3}}\s*(?:,|\s[-–—/])\s*)?      # place
    (?:(?:{_WEEKDAY}),?\s+)?(?:(?:den|le|el)\s+)?
    (?:
        (?:\d{{1,2}}(?:\.|er)?\s+(?:de\s+)?)?(?:{_MONTH})\.?(?:,?\s+(?:de\s+)?\d{{4}}(?:\s*г\.?)?)?
      | (?:{_MONTH})\.?\s+\d{{1,2}}(?:,\s*\d{{4}})?
      | \d{{1,2}}\.\d{{1,2}}\.\d{{2,4}} | \d{{4}}-\d{{2}}-\d{{2}}
    )
    (?:\s*\([^()]{{1,30}}\))?\s*[-–—.:]?
    """,
    re.IGNORECASE | re.VERBOSE,
)
FUNCTION_WORDS = frozenset(
    """
    a an the and or but nor of in on at to for from by with without into onto over under about as than
    then so yet if not no this that these those it its he she they we you i me him her them us our your
    their his my there here very too also just only all some any each every both either neither
    """.split()
)


def classify_sentence(
    text: str,
    line: Line,
    *,
    line_index: int,
) -> tuple[str, str | None]:
    """(kind, reason) of one sentence; reason is None for a claim, else a short rule name."""
    if line.dropped:
        return BOILERPLATE, line.dropped
    sentence = text.strip()
    if not any(map(str.isalpha, sentence)):
        return BOILERPLATE, "no-text"
    if len(sentence) > MAX_CLAIM_CHARACTERS:
        return BOILERPLATE, "too-long"
    if line.heading:
        return HEADING, "markup"
    if is_dateline(sentence):
        return HEADING, "dateline"
    if is_title_line(line, line_index):
        return HEADING, "title-line"
    probe = Probe.of(sentence)
    if is_call_to_action(probe):
        return BOILERPLATE, "call-to-action"
    if is_credit(probe):
        return BOILERPLATE, "credit"
    if probe.words <= MAX_DISCLAIMER_WORDS and DISCLAIMER.found_in(sentence, probe.folded):
        return BOILERPLATE, "disclaimer"
    if probe.words <= MAX_FRAGMENT_WORDS and not has_content_word(sentence):
        if is_interjection(sentence):
            return BOILERPLATE, "interjection"
        if not is_short_sentence(sentence):
            return BOILERPLATE, "fragment"
    if QUESTION_END.search(sentence):
        return QUESTION, "question"
    return CLAIM, None


def is_title_line(line: Line, line_index: int) -> bool:
    """A whole line that ends without sentence punctuation and is short, or stands out as a headline."""
    if len(line.text) > MAX_TITLE_CHARACTERS:  # also keeps a long line from being scanned per sentence
        return False
    if ends_with_final_punctuation(line.text) or INNER_FULL_STOP.search(line.text):
        return False
    words = len(line.text.split())
    if words <= MAX_INLINE_TITLE_WORDS:
        return True
    return words <= MAX_HEADLINE_WORDS and (line.standalone or line_index == 0)


def is_call_to_action(sentence: Probe) -> bool:
    if CALL_TO_ACTION_LEAD.match(sentence.text):
        return True
    return sentence.words <= MAX_CALL_TO_ACTION_WORDS and CALL_TO_ACTION_OBJECT.found_in(sentence.text, sentence.folded)


def is_dateline(sentence: str) -> bool:
    """A place and a date alone ("Darmstadt - Januar 2021"): where and when a report was filed."""
    return (
        len(sentence) <= MAX_DATELINE_CHARACTERS
        and sentence.count(" ") <= MAX_DATELINE_SPACES
        and DIGIT.search(sentence) is not None
        and DATELINE.fullmatch(sentence) is not None
    )


def is_interjection(sentence: str) -> bool:
    """Replies and function words only: "Yes.", "Um, no.", "Thank you.", "Ja, genau.", "Да."."""
    return all(word.lower() in INTERJECTIONS or word.lower() in FUNCTION_WORDS for word in WORD.findall(sentence))


def is_short_sentence(sentence: str) -> bool:
    """A sentence in form, capitalised and closed by its mark ("Regen.", "Keine Toten.", "Why?"): short prose."""
    start = SENTENCE_START.match(sentence)
    if start is None or not start.group(1).isupper():
        return False
    if not SENTENCE_END.search(sentence):
        first_word = WORD.match(sentence, start.start(1))
        return QUESTION_END.search(sentence) is not None and first_word.group().lower() in INTERROGATIVES
    if CAPTION_DEBRIS.search(sentence):
        return False
    letters = sum(map(str.isalpha, sentence))
    return letters >= MIN_SHORT_SENTENCE_LETTERS or sentence.rstrip("\"'”’»)]")[-1:] in "?!"


def has_content_word(sentence: str) -> bool:
    """Whether an uncapitalised word other than a function word or a reply occurs: the cheap sign of a predicate."""
    return any(
        not word[0].isupper() and word.lower() not in FUNCTION_WORDS and word.lower() not in INTERJECTIONS
        for word in WORD.findall(sentence)
    )


# A sentence repeated in this many documents of one publisher is a candidate house blurb...
MIN_BLURB_DOCUMENTS = 3
# ...and is one when it speaks of the publisher itself or to the reader.
HOUSE_VOICE = re.compile(r"\b(?:we|our|us|join|subscribe|sign up|newsletter|mailing list|follow)\b", re.I)


def is_house_blurb(text: str, publisher: str | None) -> bool:
    """Whether a sentence a publisher repeats on many pages is its self-description, not a claim.

    "In a complex … world, the Carnegie Endowment generates strategic ideas …" names its publisher;
    "Join our mailing list" addresses the reader. Repeated teasers of real claims do neither.
    """
    if HOUSE_VOICE.search(text):
        return True
    if not publisher:
        return False
    names = [w for w in WORD.findall(publisher) if w[0].isupper() and w.casefold() not in FUNCTION_WORDS]
    return any(re.search(rf"\b{re.escape(name)}\b", text) for name in names)
