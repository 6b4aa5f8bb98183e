"""News pages in German, French, Spanish and Russian: sentences kept whole, each of its kind.

Each page is written sentence by sentence, as its lines: the pipeline must give back exactly
these sentences, with these kinds, from the page as a reader saves it and hard-wrapped as a wire.
"""

from __future__ import annotations

import textwrap

import pytest

from claimtrack.models import BOILERPLATE, CLAIM, HEADING, QUESTION, Document
from claimtrack.pipeline import segment
from claimtrack.unwrap import unwrap_text

Line = list[tuple[str, str]]  # (kind, sentence) of each sentence on one line; [] is a blank line

GERMAN: list[Line] = [
    [(HEADING, "Stadtwerke erhöhen Preise zum 1. März")],
    [],
    [(HEADING, "Darmstadt - Januar 2021")],
    [],
    [
        (CLAIM, "Am 14. Juni 2005 hielt der damalige Oberbürgermeister Peter Benz eine viel beachtete Rede."),
        (CLAIM, "Darin forderte er mehr Geld für den Nahverkehr bzw. für den Ausbau der Straßenbahn."),
        (CLAIM, "Die Stadtwerke erhöhen nun zum 1. März die Preise für Strom und Gas um ca. 8 Prozent."),
        (CLAIM, "Betroffen sind rund 70.000 Haushalte, d. h. fast jeder zweite Kunde."),
        (CLAIM, "Der Konzern verlor im vergangenen Jahr 1,2 Mio. Euro."),
        (CLAIM, "„Wir haben keine andere Wahl“, sagte Geschäftsführer Dr. Klaus Weber am Montag."),
        (CLAIM, "Die Verbraucherzentrale rät, die Verträge zu prüfen, z. B. auf Preisgarantien."),
    ],
    [],
    [
        (CLAIM, "Die hl. Messe zum Jubiläum im Dom findet am 3. Oktober statt."),
        (CLAIM, "Im 19. Jahrhundert war die Gemeinde noch klein."),
        (CLAIM, "Der Verein belegte in der Saison 2019/20 den 3. Platz."),
        (CLAIM, "Nach dem 2. Weltkrieg wurde das Gebäude neu errichtet."),
    ],
    [],
    [(HEADING, "Das Wetter am Wochenende")],
    [(CLAIM, "Samstag: Regen."), (CLAIM, "Sonntag: Sonne und Wolken, bis 12 Grad.")],
    [(CLAIM, "Regen.")],
]

FRENCH: list[Line] = [
    [(HEADING, "La BCE maintient ses taux directeurs")],
    [],
    [(HEADING, "Paris, le 3 mars 2021")],
    [],
    [
        (CLAIM, "La Banque centrale européenne (BCE) a maintenu jeudi ses taux directeurs inchangés."),
        (CLAIM, "« Nous restons prêts à agir si nécessaire », a déclaré Mme Lagarde lors d'une conférence de presse."),
        (CLAIM, "Selon l'Insee, l'inflation a atteint 1,2 % en février, contre 0,6 % en janvier."),
        (CLAIM, "M. Le Maire a salué une décision « raisonnable », cf. le communiqué publié à 14 h 30."),
        (CLAIM, "Le XIXe siècle avait déjà connu de telles crises."),
        (CLAIM, "Le siège se trouve au 12, av. de la République."),
    ],
    [],
    [
        (CLAIM, "Il pleut."),
        (CLAIM, "Les marchés ont reculé de 0,8 % à la clôture."),
        (QUESTION, "Pourquoi ?"),
        (CLAIM, "Parce que les investisseurs attendaient davantage."),
    ],
]

SPANISH: list[Line] = [
    [(HEADING, "El Gobierno aprueba el nuevo plan de vivienda")],
    [],
    [(HEADING, "Madrid, 3 de marzo de 2021")],
    [],
    [
        (CLAIM, "El Consejo de Ministros aprobó este martes un plan de vivienda dotado con 2.000 millones de euros."),
        (CLAIM, "El presidente de EE. UU. felicitó al Gobierno durante una llamada telefónica."),
        (CLAIM, "La Sra. García, ministra de Transportes, explicó que las ayudas llegarán a unas 100.000 familias."),
        (CLAIM, "«Es un día histórico», afirmó el Sr. Pérez, portavoz del Ejecutivo."),
        (CLAIM, "Según el Instituto Nacional de Estadística, el precio del alquiler subió un 4,5 % en 2020."),
        (CLAIM, "La sede del ministerio está en la Avda. de la Castellana."),
    ],
    [],
    [
        (CLAIM, "Llueve."),
        (QUESTION, "¿Llegarán las ayudas a tiempo?"),
        (CLAIM, "¡Claro que sí, dijo el ministro!"),
    ],
]

RUSSIAN: list[Line] = [
    [(HEADING, "Центробанк сохранил ключевую ставку")],
    [],
    [(HEADING, "МОСКВА, 3 марта")],
    [],
    [
        (CLAIM, "Банк России сохранил ключевую ставку на уровне 4,25% годовых, сообщила пресс-служба регулятора."),
        (CLAIM, "Председатель ЦБ Э. С. Набиуллина заявила, что инфляция в феврале ускорилась до 5,7%."),
        (CLAIM, "«Мы видим признаки восстановления экономики», — сказала она на пресс-конференции."),
        (CLAIM, "В 2005 г. ставка была значительно выше."),
        (CLAIM, "Офис банка находится на ул. Неглинной в центре Москвы."),
        (CLAIM, "Цены на продукты выросли на 7 тыс. руб. в год на семью, т. е. заметно быстрее зарплат."),
    ],
    [],
    [
        (CLAIM, "Дождь."),
        (CLAIM, "Аналитики ожидали такого решения."),
        (QUESTION, "Что дальше?"),
        (CLAIM, "Следующее заседание пройдет 23 апреля."),
    ],
]

PAGES = {"de": GERMAN, "fr": FRENCH, "es": SPANISH, "ru": RUSSIAN}

# A German wire whose lead line was cut short after its dateline, with a reply and a dateline sentence.
GERMAN_WIRE = """REGIERUNG WILL STROMSTEUER SENKEN

BERLIN, 3. März (Reuters) -
Die Bundesregierung will die
Stromsteuer für Unternehmen und private Haushalte zum 1. Januar senken,
wie ein Sprecher des Finanzministeriums am Mittwoch in Berlin sagte.
Die Entlastung soll sich auf rund 3 Mrd. Euro im Jahr belaufen, d. h.
auf etwa 40 Euro je Haushalt. Wirtschaftsverbände begrüßten den Schritt
bzw. forderten weitere Entlastungen bei den Netzentgelten. Ja, genau.
Regen."""


def page_text(lines: list[Line]) -> str:
    return "\n".join(" ".join(sentence for _, sentence in line) for line in lines)


def expected_sentences(lines: list[Line]) -> list[tuple[str, str]]:
    return [pair for line in lines for pair in line]


def kinds_and_sentences(text: str) -> list[tuple[str, str]]:
    return [(sentence.kind, " ".join(sentence.text.split())) for sentence in segment(Document("page", text))]


@pytest.mark.parametrize("language", PAGES)
def test_page_gives_back_its_sentences_whole_and_of_their_kind(language):
    lines = PAGES[language]
    assert kinds_and_sentences(page_text(lines)) == expected_sentences(lines)


@pytest.mark.parametrize("language", PAGES)
def test_hard_wrapped_page_gives_back_the_same_sentences(language):
    lines = PAGES[language]
    wrapped = "\n".join(textwrap.fill(line, 70) if line else line for line in page_text(lines).split("\n"))
    assert wrapped.count("\n") > page_text(lines).count("\n") + 5  # the page really is wrapped
    assert kinds_and_sentences(unwrap_text(wrapped)) == expected_sentences(lines)


def test_german_wire_keeps_its_lead_and_the_kinds_of_its_short_sentences():
    assert kinds_and_sentences(unwrap_text(GERMAN_WIRE)) == [
        (HEADING, "REGIERUNG WILL STROMSTEUER SENKEN"),
        (
            CLAIM,
            "BERLIN, 3. März (Reuters) - Die Bundesregierung will die Stromsteuer für Unternehmen und private "
            "Haushalte zum 1. Januar senken, wie ein Sprecher des Finanzministeriums am Mittwoch in Berlin sagte.",
        ),
        (CLAIM, "Die Entlastung soll sich auf rund 3 Mrd. Euro im Jahr belaufen, d. h. auf etwa 40 Euro je Haushalt."),
        (CLAIM, "Wirtschaftsverbände begrüßten den Schritt bzw. forderten weitere Entlastungen bei den Netzentgelten."),
        (BOILERPLATE, "Ja, genau."),
        (CLAIM, "Regen."),
    ]
