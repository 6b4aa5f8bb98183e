"""Actors of a claim: countries, regions, places, organisations and people, with roles.

One sentence in, a list of ``ActorMention`` out. Countries, large cities, regions, multi-country
bodies and a few well-known people come from the gazetteer shipped in
``claimtrack/data`` (see PROVENANCE.md there), matched with one precompiled
trie-shaped regex. Other people and organisations are capitalised name runs
that the sentence itself marks as such (a title, an attribution verb, an
organisation head word); their country comes only from the same sentence
("Kazakhstan's Tokayev", "the Kazakh Defense Ministry", "a Russian presenter").

Name variants across a corpus ("Qasim-Jomart TokayevForced", "Tokayev",
"Kassym-Jomart Tokayev") are merged by ``ActorBook``, an explicit object the
caller keeps and may persist.

One job a module, each importing only those above it:

- ``kinds``: the kind and role constants and the ``Actor`` record;
- ``gazetteer``: the package data, its trie regex, ``lookup_country``, ``suggest_country``, ``country_name``;
- ``capitals``: the gazetteer in capitals, for a dateline or a headline: ``capitals_end``, ``load_capitals_gazetteer``;
- ``names``: name variants: ``clean_person_name``, ``person_key``, ``same_actor``, ``aliases_of``;
- ``extract``: mentions in one sentence: ``extract_actors``, ``sentence_countries``;
- ``book``: the corpus-wide ``ActorBook`` and ``resolve_actors``;
- ``quotes``: ``spread_quote_speakers``, a quotation's speaker over its sentences.
"""

from __future__ import annotations

from claimtrack.actors.book import ActorBook, resolve_actors
from claimtrack.actors.extract import extract_actors, sentence_countries
from claimtrack.actors.gazetteer import (
    Gazetteer,
    GazetteerEntry,
    country_name,
    load_gazetteer,
    lookup_country,
    suggest_country,
)
from claimtrack.actors.kinds import COUNTRY, ORGANISATION, PERSON, PLACE, REGION, SPEAKER, SUBJECT, Actor
from claimtrack.actors.names import aliases_of, clean_person_name, person_key, same_actor
from claimtrack.actors.quotes import spread_quote_speakers

__all__ = [
    "COUNTRY",
    "ORGANISATION",
    "PERSON",
    "PLACE",
    "REGION",
    "SPEAKER",
    "SUBJECT",
    "Actor",
    "ActorBook",
    "Gazetteer",
    "GazetteerEntry",
    "aliases_of",
    "clean_person_name",
    "country_name",
    "extract_actors",
    "load_gazetteer",
    "lookup_country",
    "person_key",
    "resolve_actors",
    "same_actor",
    "sentence_countries",
    "spread_quote_speakers",
    "suggest_country",
]
