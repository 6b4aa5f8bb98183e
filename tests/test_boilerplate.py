"""Boilerplate inside real-looking web pages: share bars, paywalls, affiliate notes, letters and
newsletter calls, "Read also" blocks, in English, German, French and Spanish.

Each page is an article with the blocks where sites put them. Its sentences must stay claims, and no
sentence of a block may become one, whether the page arrives as extracted text or as HTML.
"""

from __future__ import annotations

import pytest

from claimtrack.boilerplate import is_repeated_boilerplate, mark_blocks
from claimtrack.clean import clean_lines
from claimtrack.models import CLAIM, Document
from claimtrack.pipeline import ingest, segment
from claimtrack.read import read_document

EN_ARTICLE = [
    "Wildfire smoke pushed air quality in Portland to hazardous levels on 11 days last summer, "
    "according to the state's environmental agency.",
    "Sales of portable air purifiers rose by a third over the same period.",
    "We tested 14 models under $200 in a sealed 300-square-foot room.",
    "The Levoit Core 300 cleared the smoke in 21 minutes, the fastest of the group.",
    "Filters are the hidden cost: a replacement for the Core 300 costs $25 and lasts about six months.",
    "Readers can subscribe to the service for $5 a month, the company said.",
    'Dana Wu, an engineer at the Clean Air Lab, summed up the tests: "Three things decide how well a purifier works:"',
    "Models with a sealed filter housing removed 30% more smoke particles than open ones",
    "Noise above 50 decibels led most testers to switch the machine off at night",
    "Filters from third-party sellers cut performance by up to half in the smoke test",
]
EN_BOILERPLATE = [
    "We recommend products through an independent review process, and advertisers do not influence our picks. "
    "We may receive compensation if you visit partners we recommend.",
    "Share this:",
    "Click to share on Twitter (Opens in new window)",
    "READ ALSO: The dehumidifiers that actually lower your power bill, and the ones that only make noise",
    "Get our best reviews delivered to your inbox every Friday. Sign up for the Home Lab newsletter.",
    "Have a question about a product we reviewed? Write to us at letters@homelab.example.com.",
    "Already a subscriber? Log in",
    "To continue reading, log in or create a free account.",
    "Like this:",
    "Like Loading...",
    "Related",
    "The quietest fans we tested this year, ranked by our editors after six weeks of testing",
    "Do you really need a humidifier in winter? We asked three doctors",
]
EN_PAGE = f"""# The best budget air purifiers of 2024

{EN_BOILERPLATE[0]}

{EN_ARTICLE[0]} {EN_ARTICLE[1]}

{EN_BOILERPLATE[1]}

- {EN_BOILERPLATE[2]}
- Click to share on Facebook (Opens in new window)

{EN_ARTICLE[2]} {EN_ARTICLE[3]}

{EN_BOILERPLATE[3]}

{EN_ARTICLE[4]}

{EN_ARTICLE[5]}

{EN_ARTICLE[6]}

- {EN_ARTICLE[7]}
- {EN_ARTICLE[8]}
- {EN_ARTICLE[9]}

{EN_BOILERPLATE[4]}

{EN_BOILERPLATE[5]}

{EN_BOILERPLATE[6]}

{EN_BOILERPLATE[7]}

{EN_BOILERPLATE[8]}

{EN_BOILERPLATE[9]}

## {EN_BOILERPLATE[10]}

- {EN_BOILERPLATE[11]}
- {EN_BOILERPLATE[12]}
"""

DE_ARTICLE = [
    "Die Stadtwerke Nordstadt erhöhen im April die Preise für Fernwärme um durchschnittlich 18 Prozent.",
    "Betroffen sind rund 42.000 Haushalte im Stadtgebiet.",
    "Als Grund nannte das Unternehmen die gestiegenen Beschaffungskosten für Erdgas.",
    "Der Mieterverein kritisierte die Erhöhung scharf.",
    "„Viele Familien wissen jetzt schon nicht, wie sie die Nebenkosten bezahlen sollen“, "
    "sagte Geschäftsführerin Petra Lange.",
    "Die Verbraucherzentrale nennt drei Punkte, die Kunden jetzt prüfen sollten:",
    "Ob die neue Abrechnung den vereinbarten Grundpreis und den Arbeitspreis getrennt ausweist",
    "Ob die Stadtwerke die Erhöhung mindestens sechs Wochen vorher schriftlich angekündigt haben",
    "Ob der Abschlag zu den tatsächlichen Verbrauchswerten des vergangenen Winters passt",
]
DE_BOILERPLATE = [
    "Lesen Sie auch: Mieterverein fordert Härtefallfonds für Familien mit kleinen Einkommen in Nordstadt",
    "Dieser Artikel ist exklusiv für Abonnenten. Sie haben bereits ein Abo? Hier anmelden.",
    "Das könnte Sie auch interessieren:",
    "Gaspreise: Was Verbraucher jetzt über die neuen Abschläge und Sonderkündigungsrechte wissen müssen",
    "Stadtrat streitet über Zuschüsse für Heizkosten im kommenden Winter",
    "Sie haben Fragen oder Anregungen zu diesem Thema? Schreiben Sie uns an leserbriefe@nordstadt-kurier.de.",
    "Abonnieren Sie unseren kostenlosen Newsletter und erhalten Sie jeden Morgen die wichtigsten Nachrichten.",
    "Wenn Sie über einen dieser Links einkaufen, erhalten wir eine Provision.",
    "Teilen mit:",
    "Gefällt mir:",
    "Gefällt mir Wird geladen …",
]
DE_PAGE = f"""# Stadtwerke erhöhen Fernwärmepreise um 18 Prozent

{DE_ARTICLE[0]} {DE_ARTICLE[1]}

{DE_ARTICLE[2]}

{DE_BOILERPLATE[0]}

{DE_ARTICLE[3]} {DE_ARTICLE[4]}

{DE_BOILERPLATE[1]}

{DE_ARTICLE[5]}

- {DE_ARTICLE[6]}
- {DE_ARTICLE[7]}
- {DE_ARTICLE[8]}

{DE_BOILERPLATE[2]}

- {DE_BOILERPLATE[3]}
- {DE_BOILERPLATE[4]}

{DE_BOILERPLATE[5]}

{DE_BOILERPLATE[6]}

{DE_BOILERPLATE[7]}

{DE_BOILERPLATE[8]}

{DE_BOILERPLATE[9]}

{DE_BOILERPLATE[10]}
"""

FR_ARTICLE = [
    "La SNCF a annoncé mardi la suppression de 30 trains régionaux par jour en Normandie, faute de conducteurs.",
    "« Nous n’avons pas d’autre choix », a déclaré le directeur régional, Marc Lefebvre.",
]
FR_BOILERPLATE = [
    "Lire aussi : Grève à la SNCF : ce qui change pour les voyageurs ce week-end",
    "Cet article est réservé aux abonnés. Il vous reste 72% de cet article à lire.",
    "Déjà abonné ? Se connecter",
    "Inscrivez-vous à notre newsletter pour recevoir chaque matin l’essentiel de l’actualité régionale.",
    "Une remarque sur cet article ? Écrivez-nous à courrier@ouest-region.fr.",
    "Partager :",
    "J’aime ça :",
    "J’aime chargement…",
    "À lire aussi :",
    "Les prix des billets de TER augmenteront de 4 % en janvier dans toute la Normandie",
]
ES_ARTICLE = [
    "El Consejo de Ministros aprobó este martes una subida del 8,5% de las pensiones contributivas para 2023.",
    "La medida beneficiará a unos 10 millones de personas, según el Ministerio de Inclusión.",
]
ES_BOILERPLATE = [
    "Lee también: Las claves de la reforma de las pensiones que negocia el Gobierno con Bruselas",
    "Este contenido es exclusivo para suscriptores. ¿Ya eres suscriptor? Inicia sesión",
    "Para seguir leyendo, inicia sesión o suscríbete por 1 euro el primer mes.",
    "Suscríbete a nuestro boletín y recibe cada mañana las noticias más importantes.",
    "Si tienes una pregunta, escríbenos a cartas@diario-ejemplo.es.",
    "Comparte esto:",
    "Me gusta esto:",
    "Me gusta Cargando...",
    "Te puede interesar:",
    "La inflación baja al 6,8% en noviembre por el abaratamiento de la luz y los carburantes",
]


def page(title: str, article: list[str], boilerplate: list[str]) -> str:
    """A page whose article paragraphs and blocks alternate, each block its own paragraph."""
    blocks = [article[0], *boilerplate[:4], *article[1:], *boilerplate[4:]]
    return f"# {title}\n\n" + "\n\n".join(blocks) + "\n"


FR_PAGE = page("La SNCF supprime 30 trains régionaux en Normandie", FR_ARTICLE, FR_BOILERPLATE)
ES_PAGE = page("El Gobierno aprueba una subida del 8% de las pensiones", ES_ARTICLE, ES_BOILERPLATE)


def claims_of(document: Document) -> list[str]:
    return [sentence.text for sentence in segment(document) if sentence.kind == CLAIM]


def assert_article_kept_and_boilerplate_not(claims: list[str], article: list[str], boilerplate: list[str]) -> None:
    for sentence in article:
        assert sentence in claims
    for block in boilerplate:
        assert not [claim for claim in claims if claim in block], block


@pytest.mark.parametrize(
    ("text", "article", "boilerplate"),
    [
        (EN_PAGE, EN_ARTICLE, EN_BOILERPLATE),
        (DE_PAGE, DE_ARTICLE, DE_BOILERPLATE),
        (FR_PAGE, FR_ARTICLE, FR_BOILERPLATE),
        (ES_PAGE, ES_ARTICLE, ES_BOILERPLATE),
    ],
    ids=["en", "de", "fr", "es"],
)
def test_an_extracted_page_keeps_its_article_and_drops_its_blocks(text, article, boilerplate):
    claims = claims_of(Document(source="page.md", text=text, format="markdown"))
    assert_article_kept_and_boilerplate_not(claims, article, boilerplate)


def test_the_same_pages_as_plain_text_lose_the_same_blocks():
    for text, article, boilerplate in [(EN_PAGE, EN_ARTICLE, EN_BOILERPLATE), (DE_PAGE, DE_ARTICLE, DE_BOILERPLATE)]:
        plain = text.replace("\n- ", "\n").replace("## ", "").replace("# ", "")
        claims = claims_of(Document(source="page.txt", text=plain))
        assert_article_kept_and_boilerplate_not(claims, article, boilerplate)


def html_page(title: str, site: str, lang: str, body: str) -> str:
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} – {site}</title>
<meta property="og:site_name" content="{site}"></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav></header>
<main><article><h1>{title}</h1>
{body}
</article></main>
<footer><p>© 2024 {site}. All rights reserved.</p></footer></body></html>"""


DE_HTML = html_page(
    "Stadtwerke erhöhen Fernwärmepreise um 18 Prozent",
    "Nordstadt Kurier",
    "de",
    f"""<p class="meta">Von Anna Berger</p>
<p>{DE_ARTICLE[0]} {DE_ARTICLE[1]}</p>
<p>{DE_ARTICLE[2]}</p>
<p><strong>Lesen Sie auch:</strong> <a href="/a/1">{DE_BOILERPLATE[0].removeprefix("Lesen Sie auch: ")}</a></p>
<p>{DE_ARTICLE[3]} {DE_ARTICLE[4]}</p>
<div class="paywall-note"><p>{DE_BOILERPLATE[1]}</p></div>
<p>{DE_ARTICLE[5]}</p>
<ul><li>{DE_ARTICLE[6]}</li><li>{DE_ARTICLE[7]}</li><li>{DE_ARTICLE[8]}</li></ul>
<p>{DE_BOILERPLATE[2]}</p>
<ul><li><a href="/a/2">{DE_BOILERPLATE[3]}</a></li><li><a href="/a/3">{DE_BOILERPLATE[4]}</a></li></ul>
<p>{DE_BOILERPLATE[5]}</p>
<p>{DE_BOILERPLATE[6]}</p>
<p>{DE_BOILERPLATE[8]}</p><ul><li><a href="#">Twitter</a></li><li><a href="#">Facebook</a></li></ul>
<p>{DE_BOILERPLATE[9]}</p><p>{DE_BOILERPLATE[10]}</p>""",
)
EN_HTML = html_page(
    "The best budget air purifiers of 2024",
    "Home Lab",
    "en",
    f"""<p><em>{EN_BOILERPLATE[0]}</em></p>
<p>{EN_ARTICLE[0]} {EN_ARTICLE[1]}</p>
<p>{EN_ARTICLE[2]} {EN_ARTICLE[3]}</p>
<p><strong>READ ALSO:</strong> <a href="/x">{EN_BOILERPLATE[3].removeprefix("READ ALSO: ")}</a></p>
<p>{EN_ARTICLE[4]}</p>
<p>{EN_ARTICLE[5]}</p>
<p>{EN_ARTICLE[6]}</p>
<ul><li>{EN_ARTICLE[7]}</li><li>{EN_ARTICLE[8]}</li><li>{EN_ARTICLE[9]}</li></ul>
<div class="box"><p>{EN_BOILERPLATE[4]}</p></div>
<p>{EN_BOILERPLATE[5]}</p>
<p>{EN_BOILERPLATE[6]}</p>
<p>{EN_BOILERPLATE[7]}</p>
<p>{EN_BOILERPLATE[1]}</p><ul><li><a href="#">Twitter</a></li><li><a href="#">Facebook</a></li></ul>
<p>{EN_BOILERPLATE[8]}</p><p>{EN_BOILERPLATE[9]}</p>
<h3>{EN_BOILERPLATE[10]}</h3>
<ul><li><a href="/r1">{EN_BOILERPLATE[11]}</a></li><li><a href="/r2">{EN_BOILERPLATE[12]}</a></li></ul>""",
)


@pytest.mark.parametrize(
    ("html", "article", "boilerplate"),
    [(DE_HTML, DE_ARTICLE, DE_BOILERPLATE), (EN_HTML, EN_ARTICLE, EN_BOILERPLATE)],
    ids=["de", "en"],
)
def test_an_html_page_read_from_disk_keeps_its_article_and_drops_its_blocks(tmp_path, html, article, boilerplate):
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    document = read_document(path)
    assert isinstance(document, Document) and document.format == "html"
    assert_article_kept_and_boilerplate_not(claims_of(document), article, boilerplate)


def dropped(text: str) -> list[str | None]:
    return [line.dropped for line in mark_blocks(text, clean_lines(text, "markdown"))]


def test_a_bar_in_a_language_without_words_here_is_found_by_its_shape():
    # Italian: no word of these leads is known; the colon that introduces nothing and the echo give them away.
    text = "Il sindaco ha annunciato un piano da 40 milioni.\n\nCondividi:\n\nMi piace:\n\nMi piace Caricamento...\n"
    assert dropped(text) == [None, "widget", "widget", "widget"]


def test_a_colon_lead_that_introduces_prose_or_facts_heads_no_block():
    text = (
        "Die Forderungen des Mietervereins:\n\n"
        "- Ein Härtefallfonds von zwei Millionen Euro\n- Keine Sperren im Winter\n\n"
        "He told reporters:\n\nThe plant will close in March and 300 jobs will go.\n"
    )
    assert dropped(text) == [None, None, None, None, None]


def test_titles_under_a_pointer_lead_end_at_the_first_sentence():
    text = (
        "Mehr zum Thema:\n\n- Gaspreise steigen weiter\n- Stadtrat streitet über Zuschüsse\n\n"
        "Die Stadtwerke wollen die Preise im Herbst erneut prüfen.\n"
    )
    assert dropped(text) == ["widget", "link-list", "link-list", None]


def test_a_lone_title_under_a_bar_is_the_page_headline_not_a_link():
    text = "Share this:\nPrices for district heating rise by 18 percent\n\nThe utility raised its prices on Monday.\n"
    assert dropped(text) == ["call-to-action", None, None]
    assert dropped(text.replace("\n\n", "\nCouncil to debate heating aid\n\n")) == [
        "call-to-action",
        "link-list",
        "link-list",
        None,
    ]


def test_an_echo_must_trail_off():
    assert dropped("Gefällt mir:\n\nGefällt mir Wird geladen …\n")[1] == "widget"
    assert dropped("Gefällt mir:\n\nGefällt mir sehr gut, sagt die Mieterin.\n")[1] is None


NORDSTADT_HOUSE_LINE = "Unsere Redaktion prüft jeden Hinweis sorgfältig, bevor wir darüber berichten."
NORDSTADT_TEASER = "Die Stadtwerke erhöhen die Preise für Fernwärme um durchschnittlich 18 Prozent."
NORDSTADT_QUOTE = "„Wir zahlen das nicht“, sagte die Mieterin Petra Lange vor dem Rathaus."


def test_a_notice_a_publisher_repeats_in_german_becomes_boilerplate(tmp_path, store):
    folder = tmp_path / "nordstadt"
    folder.mkdir()
    for number in range(3):
        (folder / f"artikel{number}.txt").write_text(
            f"Der Stadtrat berät am Dienstag über Vorlage Nummer {number + 40} zum Haushalt.\n"
            f"{NORDSTADT_TEASER}\n{NORDSTADT_QUOTE}\n{NORDSTADT_HOUSE_LINE}\n",
            encoding="utf-8",
        )
    ingest([str(folder)], store, overrides={"publisher": "Nordstadt Kurier"})
    kinds = store.conn.execute("SELECT text, kind FROM sentences").fetchall()
    assert [kind for text, kind in kinds if text == NORDSTADT_HOUSE_LINE] == ["boilerplate"] * 3
    assert [kind for text, kind in kinds if text == NORDSTADT_TEASER] == ["claim"] * 3
    assert [kind for text, kind in kinds if text == NORDSTADT_QUOTE] == ["claim"] * 3


@pytest.mark.parametrize(
    ("sentence", "repeated_boilerplate"),
    [
        ("Si vous avez une question sur votre abonnement, appelez le service client.", True),
        ("Nuestra redacción revisa cada aviso antes de publicarlo.", True),
        ("If you or someone you know is struggling, call or text 988.", True),
        ("Leggi anche:", True),
        ("Die Verbraucherzentrale nennt drei Punkte, die Kunden prüfen sollten:", False),
        ("Die Stadtwerke erhöhen die Preise für Fernwärme.", False),
        ("« Nous ne céderons pas », a déclaré le maire.", False),
    ],
)
def test_which_repeated_sentences_are_the_house_speaking(sentence, repeated_boilerplate):
    assert is_repeated_boilerplate(sentence, "Nordstadt Kurier") is repeated_boilerplate
