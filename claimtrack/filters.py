"""What narrows the claims a command lists: built and checked here, for the CLI and Python callers alike."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .actors import country_name, lookup_country, suggest_country
from .errors import InputError

PARTIAL_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
ROLES = ("speaker", "subject")
DATE_BASES = ("claim", "doc")  # a claim's own date, or its document's
ACTOR_KINDS = ("person", "organisation", "country", "place", "region")


class FilterError(InputError):
    """A filter given a value it does not take; ``field`` names the filter as the CLI spells its option."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field} {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Filters:
    """What narrows the claims a command lists. Build it with `Filters.build` to have it checked."""

    source: str | None = None
    countries: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    role: str | None = None
    since: str | None = None
    until: str | None = None
    by_document_date: bool = False
    match: str | None = None  # an FTS5 query (from search.build_query) the claims must match

    @classmethod
    def build(
        cls,
        *,
        source: str | None = None,
        countries: Iterable[str] = (),
        actors: Iterable[str] = (),
        role: str | None = None,
        since: str | None = None,
        until: str | None = None,
        by: str = "claim",
    ) -> Filters:
        """Check the values as a user gives them and resolve country names (KZ, kaz, Kazakhstan) to codes."""
        for field, value in (("since", since), ("until", until)):
            if value and not PARTIAL_DATE.fullmatch(value):
                raise FilterError(field, f"takes YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
        if role is not None and role not in ROLES:
            raise FilterError("role", f"is {' or '.join(ROLES)}, not {role!r}")
        if by not in DATE_BASES:
            raise FilterError("by", f"is {' or '.join(DATE_BASES)}, not {by!r}")
        return cls(
            source=source or None,
            countries=tuple(country_code(text) for text in countries or ()),
            actors=tuple(actors or ()),
            role=role,
            since=since or None,
            until=until or None,
            by_document_date=by == "doc",
        )


def country_code(text: str) -> str:
    """The ISO 3166-1 alpha-2 code of a country as a user names it, or an error with the closest guess."""
    code = lookup_country(text)
    if code:
        return code
    suggestion = suggest_country(text)
    hint = f"; did you mean {suggestion} ({country_name(suggestion)})?" if suggestion else ""
    raise InputError(f"unknown country {text!r}{hint}")


def actor_kind(kind: str) -> str:
    if kind not in ACTOR_KINDS:
        raise FilterError("kind", f"is one of {', '.join(ACTOR_KINDS)}, not {kind!r}")
    return kind
