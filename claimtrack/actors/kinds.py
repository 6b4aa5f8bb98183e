"""What an actor is: the kinds and roles of a mention, and the canonical ``Actor`` of a corpus.

The lowest module of the package: every other one may import it, it imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PERSON = "person"
ORGANISATION = "organisation"
COUNTRY = "country"
PLACE = "place"
REGION = "region"
SUBJECT = "subject"
SPEAKER = "speaker"


@dataclass(slots=True)
class Actor:
    """A canonical actor of a corpus, as the lead persists it (actors + actor_aliases)."""

    name: str
    kind: str
    country: str | None = None
    aliases: set[str] = field(default_factory=set)
