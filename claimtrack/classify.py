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
# A sentence this short with no lowercase content word ("Central Asia ?", "Yes.") says nothing.
MAX_FRAGMENT_WORDS = 4
# Call-to-action and disclaimer phrasing inside longer sentences is usually quoted, not junk.
MAX_CALL_TO_ACTION_WORDS = 20
MAX_DISCLAIMER_WORDS = 45

# A full stop after a lowercase word inside the line: the line holds prose, not a title ("Mr." and "U.S." do not count).
INNER_FULL_STOP = re.compile(r"(?<![A-Z])[^\W\d_A-Z]{2,}[.…][\"'”’)\]]*\s+\S")
QUESTION_END = re.compile(r"\?[\"'”’»)\]]*$")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
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


def has_content_word(sentence: str) -> bool:
    """Whether an uncapitalised word other than a function word occurs: the cheap sign of a predicate."""
    return any(not word[0].isupper() and word.lower() not in FUNCTION_WORDS for word in WORD.findall(sentence))


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
