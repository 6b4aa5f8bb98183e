"""Boilerplate that its neighbours or its repetition give away, where a line alone reads as prose.

Within one document (``mark_blocks``, after the line rules of ``claimtrack.clean``): a lead that
points elsewhere ("Mehr zum Thema:", "Like this:", a "Related" heading) heads a block, and the
titles listed under it, or a line that echoes its first word ("Like Loading..."), belong to the
block. A short lead whose colon introduces nothing (the next line is another lead, a heading, junk,
or the end) is a bar whose links the extractor left out ("Teilen mit:" over "Gefällt mir:"). A lead
that introduces prose ("The lab's director listed three findings:") heads no block.

Across the collection (``is_repeated_boilerplate``): the store counts the sentences a publisher
repeats on many pages; those that speak as the house or to the reader, in any of the languages
cleaned, are its notices rather than claims, and so is a short colon lead the site puts on page
after page ("Leggi anche:"), whatever its language.
"""

from __future__ import annotations

import dataclasses

from claimtrack.classify import is_house_blurb
from claimtrack.clean import (
    HOUSE_ADDRESS,
    MAX_POINTED_TITLE_WORDS,
    MAX_POINTER_LEAD_WORDS,
    PAGE_DEIXIS,
    READER_ADDRESS,
    REPORTED_SPEECH,
    ends_with_final_punctuation,
)
from claimtrack.models import Line

WIDGET = "widget"
LINK_LIST = "link-list"
# Line rules whose line may head a block when it ends in a colon ("Share this:", "Related:", "Partager :").
LEAD_REASONS = frozenset({WIDGET, "link", "call-to-action", "navigation"})
# A line echoing the lead's first word ("Gefällt mir Wird geladen …" under "Gefällt mir:") is this short.
MAX_ECHO_WORDS = 6
LIST_BULLETS = ("- ", "* ", "+ ", "• ", "· ")
BULLET_MARKS = frozenset(bullet[0] for bullet in LIST_BULLETS)
COLONS = (":", "：")
ELLIPSES = ("…", "...")


def mark_blocks(text: str, lines: list[Line]) -> list[Line]:
    """``lines`` with the leads, listed titles and echoes of every pointer block marked as dropped."""
    marked = list(lines)
    for index, line in enumerate(lines):
        if not heads_block(lines, index):
            continue
        if line.dropped is None:
            marked[index] = dataclasses.replace(line, dropped=WIDGET)
        for member, reason in block_members(text, lines, index):
            marked[member] = dataclasses.replace(lines[member], dropped=reason)
    return marked


def heads_block(lines: list[Line], index: int) -> bool:
    line = lines[index]
    if line.dropped == WIDGET:
        return True
    if not is_colon_lead(line.text):
        return False
    return line.dropped in LEAD_REASONS or (line.dropped is None and introduces_nothing(lines, index))


def introduces_nothing(lines: list[Line], index: int) -> bool:
    """Whether the line after a colon lead is missing, a heading, junk, a colon lead of its own, or
    the lead again trailing off ("Mi piace:" over "Mi piace Caricamento...")."""
    if index + 1 == len(lines):
        return True
    lead, following = lines[index], lines[index + 1]
    if following.heading or following.dropped:
        return True
    if is_colon_lead(following.text):
        return True
    return is_echo(following.text, lead.text) and following.text.casefold().startswith(lead.text[:-1].casefold())


def is_echo(line: str, lead: str) -> bool:
    """A short line that opens with the lead's first word and trails off, or never ends, as a
    placeholder does ("Like Loading...", "Gefällt mir Wird geladen …")."""
    words = line.split()
    if len(words) > MAX_ECHO_WORDS or words[0].casefold() != lead.split()[0].casefold():
        return False
    return line.endswith(ELLIPSES) or not ends_with_final_punctuation(line)


def block_members(text: str, lines: list[Line], lead_index: int) -> list[tuple[int, str]]:
    """(index, reason) of the lines under a lead that belong to its block, up to the first that does not."""
    lead = lines[lead_index].text
    members = []
    for index in range(lead_index + 1, len(lines)):
        line = lines[index]
        if line.dropped:
            continue
        if line.heading:
            break
        if is_echo(line.text, lead):
            members.append((index, WIDGET))
        elif is_listed_title(text, lines, index, lead_index):
            members.append((index, LINK_LIST))
        else:
            break
    return members


def is_listed_title(text: str, lines: list[Line], index: int, lead_index: int) -> bool:
    """A short list item, or an unpunctuated line with another right above or below it, no blank line
    between and the lead apart: a lone title under a lead may be the page's own headline or a section's."""
    line = lines[index]
    if len(line.text.split()) > MAX_POINTED_TITLE_WORDS:
        return False
    if is_bulleted(text, line):
        return True
    if not is_title_shaped(line.text):
        return False
    above = lines[index - 1] if index - 1 > lead_index else None
    below = lines[index + 1] if index + 1 < len(lines) else None
    return (above is not None and next_to(text, above, line) and is_title_shaped(above.text)) or (
        below is not None and next_to(text, line, below) and is_title_shaped(below.text)
    )


def next_to(text: str, upper: Line, lower: Line) -> bool:
    """Whether ``lower`` is on the line right after ``upper``'s."""
    return text.count("\n", upper.end, lower.start) == 1


def is_colon_lead(line: str) -> bool:
    return line.endswith(COLONS) and len(line.split()) <= MAX_POINTER_LEAD_WORDS


def is_title_shaped(line: str) -> bool:
    """A title ends without punctuation, or asks or exclaims ("Do you really need a humidifier?")."""
    return not ends_with_final_punctuation(line) or line.rstrip("\"'”’»)] ").endswith(("?", "!"))


def is_bulleted(text: str, line: Line) -> bool:
    """Whether the line is a list item: a bullet before its span on its raw line, or at its start."""
    line_start = text.rfind("\n", 0, line.start) + 1
    before = text[line_start : line.start].strip()
    return before[:1] in BULLET_MARKS or line.text.startswith(LIST_BULLETS)


def is_repeated_boilerplate(text: str, publisher: str | None) -> bool:
    """Whether a sentence a publisher repeats on many pages is its own notice, not a claim.

    ``classify.is_house_blurb`` hears the house in English and in the publisher's name; here the
    house, the reader and the page itself speak in German, French and Spanish too ("Unsere Redaktion
    prüft jeden Hinweis", "Si vous avez une question"), unless the sentence reports what someone said.
    """
    if is_house_blurb(text, publisher) or is_colon_lead(text):
        return True
    voiced = HOUSE_ADDRESS.search(text) or READER_ADDRESS.search(text) or PAGE_DEIXIS.search(text)
    return voiced is not None and REPORTED_SPEECH.search(text) is None
