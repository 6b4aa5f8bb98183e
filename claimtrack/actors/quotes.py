"""Speakers across sentences: a quotation of several sentences belongs to the speaker who closes it."""

from __future__ import annotations

from claimtrack.models import CLAIM, ActorMention, Sentence


def spread_quote_speakers(text: str, sentences: list[Sentence], mentions: dict[int, list[ActorMention]]) -> None:
    """A quotation of several sentences belongs to the speaker named where it closes.

    “Today, only Russia intervenes… In the short term, it is a major force,” said X.
    Quotes never run across a line break.
    """
    pending: list[int] = []
    previous_end = 0
    for sentence in sentences:
        if "\n" in text[previous_end : sentence.start]:
            pending = []
        previous_end = sentence.end
        opens, closes = sentence.text.count("“"), sentence.text.count("”")
        if pending and closes:
            speakers = [m for m in mentions.get(sentence.position, []) if m.role == "speaker"]
            for position in pending:
                known = {(m.name, m.role) for m in mentions.get(position, [])}
                mentions.setdefault(position, []).extend(m for m in speakers if (m.name, m.role) not in known)
            pending = []
        elif opens > closes and sentence.kind == CLAIM:
            pending.append(sentence.position)
        elif pending and sentence.kind == CLAIM:
            pending.append(sentence.position)
