"""The actors of a whole corpus: one canonical ``Actor`` per person or body, with its aliases.

Name variants across a corpus ("Qasim-Jomart TokayevForced", "Tokayev", "Kassym-Jomart
Tokayev") are merged by ``ActorBook``, an explicit object the caller keeps and may persist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from claimtrack.actors.gazetteer import _fold_key
from claimtrack.actors.kinds import PERSON, Actor
from claimtrack.actors.names import _skeleton, aliases_of, clean_person_name, person_key, same_actor
from claimtrack.models import ActorMention


class ActorBook:
    """Canonical actors of a corpus with their aliases; the caller owns it and may persist it.

    ``resolve`` maps a mention to its canonical actor, creating or enriching the actor:
    a surname alone resolves to the one full-name person known with that surname, a new
    full name upgrades an actor first seen by surname only, and a country learnt from one
    sentence fills it for the actor (not for other sentences' claims).
    """

    def __init__(self, actors: Iterable[Actor] = ()) -> None:
        self.actors: list[Actor] = []
        self._by_surname: dict[str, list[Actor]] = {}
        self._by_kind_and_name: dict[tuple[str, str], list[Actor]] = {}  # non-people; their names never change
        self._keys: dict[str, str] = {}  # name -> its folded lookup key, as names recur in every document
        self._same_people: dict[tuple, bool] = {}  # same_actor of two people, by (name, country) of each
        # The people of a surname that a (name, country) names, while that surname's people stay as they were:
        # a common surname is shared by hundreds of people in a large corpus, and every mention asked all of them.
        self._people_named: dict[tuple[str, str | None], tuple[int, list[Actor]]] = {}
        self._surname_versions: dict[str, int] = {}  # bumped when a person of the surname is added or changes
        self._surname_of: dict[int, str] = {}  # id of each person -> the surname key it is kept under
        for actor in actors:
            self._add(actor)

    def _add(self, actor: Actor) -> Actor:
        actor.aliases.add(actor.name)
        self.actors.append(actor)
        if actor.kind == PERSON:
            surname = self._surname_key(actor.name)
            self._by_surname.setdefault(surname, []).append(actor)
            self._surname_of[id(actor)] = surname
            self._changed(actor)
        else:
            self._by_kind_and_name.setdefault((actor.kind, self._name_key(actor.name)), []).append(actor)
        return actor

    def find(self, mention: ActorMention) -> Actor | None:
        """The known actor a mention names: the first added that ``same_actor`` accepts."""
        if mention.kind != PERSON:
            # Namesakes share kind and folded name, so same_actor only has the countries left to check.
            namesakes = self._by_kind_and_name.get((mention.kind, self._name_key(mention.name)), [])
            return next(
                (a for a in namesakes if not (a.country and mention.country and a.country != mention.country)), None
            )
        candidates = self._people_named_by(mention)
        if not candidates:
            return None
        return max(candidates, key=lambda actor: (actor.country == mention.country, len(actor.aliases)))

    def _people_named_by(self, mention: ActorMention) -> list[Actor]:
        """The known people ``same_actor`` accepts for a person's mention, in the order they were added."""
        surname = self._surname_key(mention.name)
        version = self._surname_versions.get(surname, 0)
        asked = (mention.name, mention.country)
        known = self._people_named.get(asked)
        if known is not None and known[0] == version:
            return known[1]
        people = [a for a in self._by_surname.get(surname, []) if self._same_person(a, mention)]
        self._people_named[asked] = (version, people)
        return people

    def _changed(self, person: Actor) -> None:
        surname = self._surname_of[id(person)]
        self._surname_versions[surname] = self._surname_versions.get(surname, 0) + 1

    def _name_key(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = _fold_key(name)
        return key

    def _surname_key(self, name: str) -> str:
        key = self._keys.get("\0" + name)
        if key is None:
            key = self._keys["\0" + name] = _skeleton(person_key(name))
        return key

    def _same_person(self, actor: Actor, mention: ActorMention) -> bool:
        pair = (actor.name, actor.country, mention.name, mention.country)
        same = self._same_people.get(pair)
        if same is None:
            same = self._same_people[pair] = same_actor(actor, mention)
        return same

    def resolve(self, mention: ActorMention) -> ActorMention:
        actor = self.resolve_actor(mention)
        return replace(mention, name=actor.name, country=actor.country)

    def resolve_actor(self, mention: ActorMention) -> Actor:
        """The canonical actor of a mention, created or enriched by it. Its name may still change:
        a later full name renames an actor first met by surname."""
        name = clean_person_name(mention.name) if mention.kind == PERSON else mention.name
        actor = self.find(replace(mention, name=name) if name != mention.name else mention)
        if actor is None:
            actor = self._add(Actor(name, mention.kind, mention.country, {name}))
        else:
            actor.aliases.add(name)
            before = (actor.name, actor.country)
            if mention.kind == PERSON and len(name.split()) > len(actor.name.split()):
                actor.name = name
            actor.country = actor.country or mention.country
            if actor.kind == PERSON and (actor.name, actor.country) != before:
                self._changed(actor)
        actor.aliases.update(aliases_of(mention))
        return actor

    def alias_rows(self) -> list[tuple[str, str]]:
        """(alias, canonical name) pairs for an actor_aliases table."""
        return sorted((alias, actor.name) for actor in self.actors for alias in actor.aliases)


def resolve_actors(mentions: Iterable[ActorMention], book: ActorBook) -> list[ActorMention]:
    """Canonical names for a sentence's mentions, recorded in ``book``."""
    return [book.resolve(mention) for mention in mentions]
