"""Split a document into lines and mark the lines that are web junk.

Every non-blank line comes back, in order, as a ``Line`` whose span points into
the document text.  A line that is wholly junk (pagination, a share bar, an
image credit, a comment form...) carries the name of the rule that matched in
``dropped``; nothing is removed silently.  The rules look at the shape and the
phrasing of a line, never at known strings of known sites.

Web furniture speaks in a voice that reporting does not: to the reader ("you", "Sie",
"vous", an imperative), as the house ("we", "unser", "notre") or of the page itself
("this article", "cet article"), about what only a site offers (subscriptions, log-ins,
newsletters, letters, affiliate links). A line is such a notice when it has both the voice
and the offer and reports nothing ("said", "sagte", quotation marks). Words are given in
English, German, French and Spanish.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from claimtrack.models import Line

# Letters that re.IGNORECASE matches to an ASCII letter but str.lower() leaves apart ("İ" lowers to "i" + a dot).
IGNORECASE_FOLDS = (("ı", "i"), ("ſ", "s"), ("\u0307", ""))


@dataclass(frozen=True, slots=True)
class KeywordPattern:
    """A case-insensitive pattern every match of which holds one of ``keywords`` (lower case):
    a text whose ``folded`` form holds none of them is not searched, which is most texts."""

    pattern: re.Pattern[str]
    keywords: tuple[str, ...]

    def may_occur_in(self, folded_text: str) -> bool:
        for keyword in self.keywords:
            if keyword in folded_text:
                return True
        return False

    def found_in(self, text: str, folded_text: str) -> bool:
        return self.may_occur_in(folded_text) and self.pattern.search(text) is not None


def folded(text: str) -> str:
    """``text`` in lower case, in which every word that an IGNORECASE pattern finds in ``text`` occurs."""
    lowered = text.lower()
    if not lowered.isascii():
        for letter, ascii_letter in IGNORECASE_FOLDS:
            lowered = lowered.replace(letter, ascii_letter)
    return lowered


# A junk line is short: a rule that works on phrasing only fires up to this length (in words).
MAX_NAVIGATION_WORDS = 5
MAX_CALL_TO_ACTION_WORDS = 20
MAX_CREDIT_WORDS = 15
MAX_BLOG_META_WORDS = 8
MAX_LINK_LINE_WORDS = 30
MAX_DISCLAIMER_WORDS = 45
MAX_TICKER_TITLE_WORDS = 4
MAX_READER_NOTICE_WORDS = 45
# Two offers of access ("To continue reading, log in or create a free account") need no other voice up to this.
MAX_BARE_ACCESS_NOTICE_WORDS = 25
# A lead pointing elsewhere ("Lesen Sie auch:") has at most this many words, the title it points to this many.
MAX_POINTER_LEAD_WORDS = 5
MAX_POINTED_TITLE_WORDS = 20
# A line that is mostly a web address is a link, not prose.
MIN_URL_SHARE_OF_LINE = 0.5

MARKUP_FORMATS = ("markdown", "html")

ATX_HEADING = re.compile(r"#{1,6}(?=\s|$)")
ATX_CLOSING = re.compile(r"\s+#+$")
MARKDOWN_PREFIX = re.compile(r"(?:>\s?|[-*+]\s+|\d{1,3}[.)]\s+)")
SETEXT_UNDERLINE = re.compile(r"(?:=+|-+)\s*$")

URL = KeywordPattern(
    re.compile(
        r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|ru|gov|edu|io|info|co|uk)(?:/\S*)?\b", re.I
    ),
    ("://", "www.", ".co", ".org", ".net", ".ru", ".gov", ".edu", ".io", ".info", ".uk"),
)
# A line ends in sentence punctuation when one of FINAL_MARKS comes last but for CLOSING_MARKS.
FINAL_MARKS = ".!?…:;।。！？؟"
CLOSING_MARKS = "\"'”’»)]"
PAGINATION = re.compile(
    r"^(?:(?:showing|displaying|results?)\s+)?(?:page\s+)?\d[\d,]*(?:\s*(?:-|–|to)\s*\d[\d,]*)?"
    r"\s+(?:of|/)\s+(?:about\s+|approx\.?\s+)?\d[\d,]*(?:\s+(?:results?|items?|pages?|entries))?$"
    r"|^(?:«|‹|<)?\s*(?:previous|prev|next|older|newer)(?:\s+(?:page|posts?|entries|articles?))?\s*(?:»|›|>)?$"
    r"|^(?:\d+\s+){2,}(?:next|»|›|…)?\s*$",
    re.I,
)
TICKER_SYMBOL_START = re.compile(r"[A-Z][A-Z0-9.]")  # tested first: prose seldom starts like a symbol
# A symbol and a price: the price needs decimals, a currency or a percent, so "NATO 2030" is no ticker.
TICKER_ROW = re.compile(
    r"^(?=.*(?:\d\.\d|%|[$€£¥]))[A-Z][A-Z0-9.]{1,9}(?:/[A-Z]{2,5})?\s+[-+]?[$€£¥]?\d[\d,]*(?:\.\d+)?%?"
    r"(?:\s+[-+]?[$€£¥]?\d[\d,]*(?:\.\d+)?%?)*$"
)
LINK_LEAD = re.compile(
    r"^(?:>>|»|→|►|▶)"
    r"|^see also\b"
    r"|^(?:read (?:more|also|next)|also read|more|related(?: \w+)?|recommended|see|watch|listen|source)\s*:",
    re.I,
)
MARKDOWN_LINK_ONLY = re.compile(r"^!?\[[^\]]*\]\([^)]*\)$")
CREDIT_LEAD = re.compile(
    r"^(?:©|\(c\)|copyright\b"
    r"|cc\s+(?:by\b|[\w-]+\.\w)"
    r"|(?:photo|image|picture|illustration|graphic|video|cover|header|featured image)s?"
    r"\s*(?::|by\b|credits?\b|courtesy\b|source\b|via\b)"
    r"|(?:credits?|courtesy|pictured|source)\s*:"
    r"|(?:fotos?|bild|bilder|bildquelle|quelle|fuente|imagen|fotografía|crédits?(?: photos?)?)\s*:)",
    re.I,
)
CREDIT_TAIL = KeywordPattern(
    re.compile(
        r"(?:/|\(|©|photo:?|credit:?|foto:?|bild:?)\s*"
        r"(?:getty images|ap photo|afp|reuters|shutterstock|wikimedia commons|dpa|picture alliance|imago|efe)\)?\s*$",
        re.I,
    ),
    (
        "getty images",
        "ap photo",
        "afp",
        "reuters",
        "shutterstock",
        "wikimedia commons",
        "dpa",
        "picture alliance",
        "imago",
        "efe",
    ),
)
CALL_TO_ACTION_LEAD = re.compile(
    r"^(?:(?:please|now|so|and)\s+)?(?:sign up|signup|subscribe|join (?:our|us|the conversation)|follow us|like us"
    r"|share (?:this|on|via)|read more|click here|tap here|register (?:now|here|for)|download (?:our|the)"
    r"|get (?:our|the latest|updates|free)|don'?t miss|stay (?:updated|informed|in touch|tuned)"
    r"|support (?:us|our)|donate|become a (?:member|subscriber|patron)|enter your email"
    r"|klicken sie hier|hier klicken|cliquez ici|haz clic aquí|pulsa aquí"
    # the same imperatives in German (verb + "Sie"), French (-ez-vous, -ez-nous) and Spanish (-te, -nos)
    r"|(?:jetzt\s+)?(?:abonnieren|registrieren|unterstützen|kontaktieren|folgen|schreiben|teilen) sie"
    r" (?:uns|sich|unser|diese)"
    r"|melden sie sich (?:(?:jetzt|hier|kostenlos) )*(?:an|für|zum)|jetzt (?:kostenlos\s+)?(?:abonnieren|anmelden"
    r"|registrieren)|folge uns|abonniere"
    r"|(?:abonnez|inscrivez|connectez|identifiez)-vous|(?:suivez|rejoignez|soutenez|écrivez|contactez)-nous"
    r"|partagez (?:cet|cette|ce)"
    r"|suscr[ií]bete|reg[ií]strate|s[ií]guenos|[uú]nete|ap[oó]yanos|escr[ií]benos|cont[aá]ctanos"
    r"|comparte (?:esta|este) (?:noticia|artículo|nota|contenido|publicación))\b",
    re.I,
)
CALL_TO_ACTION_OBJECT = KeywordPattern(
    re.compile(
        r"\b(?:our newsletter|mailing list|to receive (?:e-?mails|updates|news|alerts|our)"
        r"|follow us on|subscribe to our|in your inbox)\b",
        re.I,
    ),
    ("our newsletter", "mailing list", "to receive ", "follow us on", "subscribe to our", "in your inbox"),
)
# Reporting: a line that says who said what tells of a notice rather than being one.
REPORTED_SPEECH = re.compile(
    r"[“”„\"«»]|\b(?:said|says|told|according to|stated|announced|sagte|sagt|sagten|erklärte|berichtete|laut"
    r"|a (?:déclaré|dit|affirmé|indiqué|annoncé)|selon|dijo|según|afirmó|explicó|señaló|aseguró|indicó)\b",
    re.I,
)
# The reader addressed: English "you", German "Sie" inside a sentence (first it may be "she"), French and
# Spanish second person.
READER_ADDRESS = re.compile(
    r"\b[Yy]ou(?:rs?|rself)?\b|(?<=\S )(?:Sie|Ihnen|Ihre?[mnrs]?)\b"
    r"|\b(?i:dich|dir|dein\w*|vous|votre|vos|tu|te|toi|tes|usted(?:es)?|tú|tus)\b"
)
HOUSE_ADDRESS = re.compile(
    r"\b(?:[Ww]e|[Oo]urs?|us|[Ww]ir|[Uu]ns(?:er\w*)?|[Nn]ous|[Nn]otre|[Nn]os|[Nn]osotros|[Nn]uestr[oa]s?"
    r"|(?i:the editors|Redaktion|rédaction|redacción))\b"
)
PAGE_DEIXIS = re.compile(
    r"\b(?i:this|dies(?:e[rsnm]?)?|cet(?:te)?|ce|est[ea])\s+(?i:article|story|page|post|content|site|website"
    r"|artikel|beitrag|text|inhalt|seite|contenu|artículo|contenido|texto|página|noticia|nota)\b"
)
LINK_WORD = re.compile(r"(?:\b|-)(?:links?|liens?|enlaces?)\b", re.I)
SUBSCRIPTION = KeywordPattern(
    re.compile(
        r"\bsubscri(?:bers?|ptions?|be)\b|\babos?(?=[\s?.,!:;)-])"
        r"|\babonn(?:ent\w*|ement\w*|ier\w*|é|ée|és|ées|er)\b|\bsuscr(?:ipt|ipc|[ií]b)\w*"
        r"|\bpaywall\b|\bfree articles?\b",
        re.I,
    ),
    ("subscri", "abo", "suscr", "paywall", "free article"),
)
READ_ON = KeywordPattern(
    re.compile(
        r"\b(?:continue|keep) reading\b|\bweiterlesen\b|\bweiter ?zu ?lesen\b|\bcontinuer (?:à|de) lire\b"
        r"|\blire la suite\b|\bà lire\b|\b(?:seguir|sigue|continuar) leyendo\b|\b(?:left|remaining) to read\b",
        re.I,
    ),
    ("reading", "weiter", "lire", "leyendo", "to read"),
)
LOG_IN = KeywordPattern(
    re.compile(
        r"\blog(?:ged)?[ -]?in\b|\bsign(?:ed)?[ -]in\b|\b(?:create|register for) (?:a |an )?(?:free )?account\b"
        r"|\b(?:anmelden|einloggen|angemeldet)\b|\bse connecter\b|\bconnexion\b|\binici(?:a|ar) sesi[oó]n\b",
        re.I,
    ),
    ("log", "sign", "account", "anmeld", "einlogg", "angemeld", "connexion", "se connecter", "sesi"),
)
NEWSLETTER_OFFER = KeywordPattern(
    re.compile(
        r"\bnewsletters?\b|\binbox\b|\bmailing list\b|\be-?mail alerts?\b|\bbolet[ií]n\b"
        r"|\blettre d'information\b|\binfolettre\b",
        re.I,
    ),
    ("newsletter", "inbox", "mailing list", "mail alert", "bolet", "lettre d'information", "infolettre"),
)
LETTERS_OFFER = KeywordPattern(
    re.compile(
        r"\bletters? to the editor\b|\bleserbrief\w*|\bcourrier des lecteurs\b|\bcartas? al director\b"
        r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
        re.I,
    ),
    ("editor", "leserbrief", "courrier des lecteurs", "al director", "@"),
)
# "Write to us" opening a clause, an imperative in which the house speaks already.
CONTACT_US = KeywordPattern(
    re.compile(
        r"(?:^|[?!.,:;]\s*)(?:(?:write|send|email|e-mail|contact) (?:to )?us\b|(?:schreiben|kontaktieren) sie uns\b"
        r"|(?:écrivez|contactez)-nous\b|(?:escr[ií]benos|cont[aá]ctanos)\b)",
        re.I,
    ),
    (" us", "sie uns", "-nous", "benos", "ctanos"),
)
ACCESS_KEYWORDS = SUBSCRIPTION.keywords + READ_ON.keywords + LOG_IN.keywords
# Paid links named as such: any voice (the house, the reader, the page, a link, "I") makes a disclosure of them.
AFFILIATE_LINKS = KeywordPattern(
    re.compile(
        r"\baffiliate\w*|\baffili[ée]s?\b|\bd'affiliation\b|\bafiliad[oa]s?\b|\bpartner-?links?\b"
        r"|\bqualifying purchases\b|\bwerbelinks?\b",
        re.I,
    ),
    ("affili", "afiliad", "partner", "qualifying purchases", "werbelink"),
)
# Pay in general: only the house telling the reader of it ("we may earn a commission if you buy") discloses.
HOUSE_EARNINGS = KeywordPattern(
    re.compile(r"\bprovisions?\b|\bcommissions?\b|\bcompensat(?:ion|ed)\b|\bcomisi[oó]n\b|\badvertisers?\b", re.I),
    ("provision", "commission", "compensat", "comisi", "advertiser"),
)
FIRST_PERSON_SINGULAR = re.compile(r"\bI\b")
COMMENT_FORM = re.compile(
    r"^(?:leave a (?:reply|comment)|post (?:a )?comment|add (?:a )?comment|cancel reply|reply$|comments?$"
    r"|\d+\s+(?:comments?|replies|responses)$|no comments(?: yet)?|comments (?:are )?closed"
    r"|your email address will not be published|required fields are marked"
    r"|save my name,? email|you must be logged in to post|notify me of (?:follow-up|new) )",
    re.I,
)
BLOG_META = re.compile(
    r"^(?:(?:posted|published|updated|by|in|@)\b.*?)?(?:\d+|\ban?|\bone)\s*"
    r"(?:sec(?:ond)?|min(?:ute)?|hour|day|week|month|year)s?\s+ago$"
    r"|^(?:posted|published|written|updated)\s+(?:on|by|in|at)\b"
    r"|^\d+\s*min(?:ute)?s?\s+read$"
    r"|^(?:reading time|tags|tagged|categories|category|filed under)\s*:"
    r"|^in\s+#\w+",
    re.I,
)
DISCLAIMER = KeywordPattern(
    re.compile(
        r"\b(?:views|opinions)\s+expressed\b.*\b(?:authors?|writers?|contributors?)\b"
        r"|\bdo(?:es)? not necessarily (?:reflect|represent)\b"
        r"|\bfor (?:general )?informational purposes only\b"
        r"|\b(?:does|do|should) not constitute (?:financial|investment|legal|professional) advice\b"
        r"|\ball rights reserved\b|\balle rechte vorbehalten\b|\btous droits réservés\b"
        r"|\btodos los derechos reservados\b"
        r"|\bwe use cookies\b|\bby continuing to (?:use|browse) (?:this|our) (?:site|website)\b"
        r"|\b(?:wir verwenden|nous utilisons des|utilizamos) cookies\b"
        r"|\b(?:diese|this|ce|este) (?:website|webseite|seite|site|sitio)(?: web)?"
        r" (?:verwendet|nutzt|uses|utilise|utiliza) (?:des )?cookies\b"
        # where a republished page first appeared
        r"|\b(?:this|dieser|cet|este) (?:article|story|post|artikel|beitrag|text|artículo) (?:was |is |a été |fue )?"
        r"(?:originally published|first published|first appeared|erschien zuerst|ist zuerst erschienen"
        r"|publié initialement|initialement publié|publicado originalmente|originalmente publicado)\b",
        re.I,
    ),
    (
        "expressed",
        "not necessarily ",
        "informational purposes only",
        "not constitute ",
        "all rights reserved",
        "rechte vorbehalten",
        "droits réservés",
        "derechos reservados",
        "cookies",
        "originally published",
        "first published",
        "first appeared",
        "zuerst",
        "initialement",
        "originalmente",
        "by continuing to ",
    ),
)
NAVIGATION_WORDS = frozenset(
    """
    back to top home menu search skip content main navigation nav toggle open close login log in out logout
    sign signin register account my profile lost forgot your password username remember me reset
    next previous prev more less show hide all print email e-mail share tweet facebook twitter linkedin
    whatsapp telegram reddit pinterest copy link rss feed subscribe contact about us privacy policy terms
    of use conditions cookie cookies settings sitemap archives archive categories tags related posts
    articles popular latest comments reply edit view continue reading top go
    startseite zurück nach oben suche suchen menü hauptmenü zum inhalt anmelden abmelden einloggen ausloggen
    registrieren konto mein profil passwort vergessen hier jetzt weiter weiterlesen mehr alle zeigen drucken
    teilen senden kommentare kommentar kommentieren antworten abonnieren newsletter kontakt impressum
    datenschutz datenschutzerklärung nutzungsbedingungen agb archiv kategorien schlagwörter artikel beiträge
    vorherige nächste seite schließen öffnen kopieren erfahren zur übersicht
    accueil retour en haut rechercher recherche se connecter connexion déconnexion s'inscrire inscription
    créer un compte mon mot de passe oublié ici lire la suite plus voir tout imprimer partager envoyer
    commentaires commentaire répondre s'abonner abonnez-vous mentions légales confidentialité politique
    précédent suivant fermer ouvrir copier le lien savoir
    inicio volver arriba buscar búsqueda menú iniciar inicia sesión cerrar registrarse regístrate crear
    cuenta mi contraseña aquí leer más ver todo imprimir compartir enviar comentarios comentario responder
    suscribirse suscríbete boletín contacto aviso legal privacidad anterior siguiente página abrir copiar enlace
    información
    """.split()
)
# A lead that points the reader to other pages ("Lesen Sie auch:", "À lire aussi :", "Te puede interesar:",
# "Like this:") is a few of these words, one of them at least a pointer.
POINTER_WORDS = frozenset(
    """
    read also more see related similar recommended popular trending like share follow interested interest
    tags topics further lesen lies siehe auch mehr weitere weiterführende ähnliche verwandte empfehlungen
    empfohlen interessieren interessant gefällt teilen folgen schlagwörter themen lire voir aussi également plus
    aime j'aime j’aime partager suivez-nous intéresser mots-clés lee leer lea ver también más relacionado
    relacionados relacionadas interesar comparte compartir gusta síguenos etiquetas
    """.split()
)
POINTER_LEAD_WORDS = POINTER_WORDS | frozenset(
    """
    the this on us our you may might could also be in to for from with stories articles posts news links up next
    sie das könnte könnten zum zur thema dazu artikel beiträge mir mit uns auf dir dich ihnen unsere
    à a sur le la les même sujet ça nous vous pourrait ce en sujets articles liens autres
    te le puede pueden esto me el lo los las de del en sobre tema temas noticias artículos otras
    """.split()
)
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def clean_lines(text: str, format: str = "text") -> list[Line]:
    """Every non-blank line of ``text`` in order, with its span, layout flags and junk reason."""
    raw_lines = split_raw_lines(text)
    blank = [not text[start:end].strip() for start, end in raw_lines]
    lines: list[Line] = []
    for index, (start, end) in enumerate(raw_lines):
        if blank[index]:
            continue
        span_start, span_end, heading = content_span(text, start, end, format)
        if format in MARKUP_FORMATS and not heading:
            heading = is_setext_heading(text, raw_lines, index)
        line_text = text[span_start:span_end]
        lines.append(
            Line(
                start=span_start,
                end=span_end,
                text=line_text,
                dropped=junk_reason(line_text),
                standalone=(index == 0 or blank[index - 1]) and (index + 1 == len(raw_lines) or blank[index + 1]),
                heading=heading,
            )
        )
    return mark_ticker_titles(lines)


def split_raw_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of ``text``, line terminator excluded."""
    spans = []
    position = 0
    for raw in text.splitlines(keepends=True):
        content = raw.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        spans.append((position, position + len(content)))
        position += len(raw)
    return spans


def content_span(text: str, start: int, end: int, format: str) -> tuple[int, int, bool]:
    """The span of a line without surrounding whitespace and markup; whether it is a "#" heading.

    A line that is nothing but markup ("#", "-") keeps its whole span.
    """
    line_start, line_end = strip_span(text, start, end)
    start = line_start
    if format in MARKUP_FORMATS:
        start = skip_markdown_prefixes(text, start, line_end)
    match = ATX_HEADING.match(text, start, line_end)
    if not match:
        return start, line_end, False
    start, end = strip_span(text, match.end(), line_end)
    closing = ATX_CLOSING.search(text, start, end)
    if closing and closing.start() > start:
        end = closing.start()
    if start >= end:
        return line_start, line_end, False
    return start, end, True


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it has no whitespace at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def skip_markdown_prefixes(text: str, start: int, end: int) -> int:
    """Move past list bullets and blockquote markers, nested ones too."""
    while True:
        match = MARKDOWN_PREFIX.match(text, start, end)
        if not match or match.end() >= end:
            return start
        start = strip_span(text, match.end(), end)[0]


def is_setext_heading(text: str, raw_lines: list[tuple[int, int]], index: int) -> bool:
    """A Markdown line underlined by "===" or "---"."""
    if index + 1 >= len(raw_lines):
        return False
    start, end = raw_lines[index + 1]
    underline = text[start:end].strip()
    return bool(underline) and SETEXT_UNDERLINE.match(underline) is not None


class Probe(NamedTuple):
    """A line or sentence with the facts that several rules ask of it, computed once."""

    text: str
    words: int
    folded: str

    @classmethod
    def of(cls, text: str) -> Probe:
        return cls(text, word_count(text), folded(text))


def junk_reason(line: str) -> str | None:
    """The name of the first junk rule that matches the whole line, or None for content."""
    probe = Probe.of(line)
    for reason, rule in JUNK_RULES:
        if rule(probe):
            return reason
    return None


def word_count(line: str) -> int:
    return len(line.split())


def has_no_letters(line: Probe) -> bool:
    return not any(map(str.isalpha, line.text))


def is_pagination(line: Probe) -> bool:
    return PAGINATION.match(line.text) is not None


def is_ticker_row(line: Probe) -> bool:
    return TICKER_SYMBOL_START.match(line.text) is not None and TICKER_ROW.match(line.text) is not None


def is_link(line: Probe) -> bool:
    if line.words > MAX_LINK_LINE_WORDS:
        return False
    if LINK_LEAD.match(line.text) or MARKDOWN_LINK_ONLY.match(line.text) or is_pointer_to_title(line):
        return True
    url_characters = 0
    if URL.may_occur_in(line.folded):
        url_characters = sum(len(match.group()) for match in URL.pattern.finditer(line.text))
    return url_characters >= MIN_URL_SHARE_OF_LINE * len(line.text)


def is_credit(line: Probe) -> bool:
    if line.words > MAX_CREDIT_WORDS:
        return False
    return CREDIT_LEAD.match(line.text) is not None or CREDIT_TAIL.found_in(line.text, line.folded)


def is_navigation(line: Probe) -> bool:
    if line.words > MAX_NAVIGATION_WORDS:
        return False
    words = [word.lower() for word in WORD.findall(line.text)]
    if not words or len(words) > MAX_NAVIGATION_WORDS:
        return False
    return all(word in NAVIGATION_WORDS for word in words)


def is_call_to_action(line: Probe) -> bool:
    if line.words > MAX_CALL_TO_ACTION_WORDS:
        return is_newsletter_or_letters_call(line)
    if CALL_TO_ACTION_LEAD.match(line.text) is not None:
        return True
    if CALL_TO_ACTION_OBJECT.found_in(line.text, line.folded) and not is_reported(line):
        return True
    return is_newsletter_or_letters_call(line)


def is_comment_form(line: Probe) -> bool:
    return COMMENT_FORM.match(line.text) is not None


def is_blog_meta(line: Probe) -> bool:
    return line.words <= MAX_BLOG_META_WORDS and BLOG_META.search(line.text) is not None


def is_disclaimer(line: Probe) -> bool:
    return line.words <= MAX_DISCLAIMER_WORDS and DISCLAIMER.found_in(line.text, line.folded)


def is_pointer_lead(text: str) -> bool:
    """Whether ``text`` (a colon aside) is a short lead pointing elsewhere: "Lesen Sie auch", "Like this"."""
    words = WORD.findall(text.lower())
    if not words or len(words) > MAX_POINTER_LEAD_WORDS:
        return False
    return all(word in POINTER_LEAD_WORDS for word in words) and any(word in POINTER_WORDS for word in words)


def is_pointer_to_title(line: Probe) -> bool:
    """A pointer lead, a colon and a title: "Lire aussi : Grève à la SNCF : ce qui change"."""
    colon = line.text.find(":")
    if colon <= 0 or not is_pointer_lead(line.text[:colon]):
        return False
    title = line.text[colon + 1 :].strip()
    return bool(title) and len(title.split()) <= MAX_POINTED_TITLE_WORDS and not title.endswith(".")


def is_widget_lead(line: Probe) -> bool:
    """A pointer lead alone, as a share or like bar or a list of links begins ("Teilen mit:", "Te puede
    interesar:"); it ends in a colon or in no punctuation at all."""
    if line.words > MAX_POINTER_LEAD_WORDS:
        return False
    text = line.text.rstrip()
    if text.endswith((":", "：")):
        text = text[:-1]
    elif ends_with_final_punctuation(text):
        return False
    return is_pointer_lead(text)


def is_reported(line: Probe) -> bool:
    return REPORTED_SPEECH.search(line.text) is not None


def is_paywall_note(line: Probe) -> bool:
    """Paid access offered of this page ("Dieser Artikel ist exklusiv für Abonnenten") or to the reader
    ("Il vous reste 72% de cet article à lire"), or a choice of ways in: a question and its answer
    ("Already a subscriber? Log in"), or the way to read on ("To continue reading, log in or …")."""
    if line.words > MAX_READER_NOTICE_WORDS or not any(map(line.folded.__contains__, ACCESS_KEYWORDS)):
        return False
    subscription, read_on = offer_count(line, SUBSCRIPTION), offer_count(line, READ_ON)
    offers = subscription + read_on + offer_count(line, LOG_IN)
    if not offers or is_reported(line):
        return False
    if offers >= 2 and line.words <= MAX_BARE_ACCESS_NOTICE_WORDS and (read_on or "?" in line.text):
        return True
    if PAGE_DEIXIS.search(line.text):
        return True
    return subscription + read_on > 0 and READER_ADDRESS.search(line.text) is not None


def offer_count(line: Probe, offer: KeywordPattern) -> int:
    return len(offer.pattern.findall(line.text)) if offer.may_occur_in(line.folded) else 0


def is_affiliate_note(line: Probe) -> bool:
    """Paid links disclosed: "If you buy through our links, we may earn a commission"."""
    if line.words > MAX_READER_NOTICE_WORDS:
        return False
    if AFFILIATE_LINKS.found_in(line.text, line.folded):
        voices = (HOUSE_ADDRESS, READER_ADDRESS, PAGE_DEIXIS, LINK_WORD, FIRST_PERSON_SINGULAR)
        voiced = any(voice.search(line.text) for voice in voices)
    elif HOUSE_EARNINGS.found_in(line.text, line.folded):
        voiced = HOUSE_ADDRESS.search(line.text) is not None and READER_ADDRESS.search(line.text) is not None
    else:
        return False
    return voiced and not is_reported(line)


def is_newsletter_or_letters_call(line: Probe) -> bool:
    """A newsletter or the letters page offered to the reader: "Schreiben Sie uns an leserbriefe@…"."""
    if line.words > MAX_READER_NOTICE_WORDS:
        return False
    if CONTACT_US.found_in(line.text, line.folded):
        return not is_reported(line)
    if not (NEWSLETTER_OFFER.found_in(line.text, line.folded) or LETTERS_OFFER.found_in(line.text, line.folded)):
        return False
    voiced = READER_ADDRESS.search(line.text) or HOUSE_ADDRESS.search(line.text) or CALL_TO_ACTION_LEAD.match(line.text)
    return voiced is not None and not is_reported(line)


JUNK_RULES: tuple[tuple[str, Callable[[Probe], bool]], ...] = (
    ("no-text", has_no_letters),
    ("pagination", is_pagination),
    ("ticker", is_ticker_row),
    ("credit", is_credit),
    ("link", is_link),
    ("comment-form", is_comment_form),
    ("blog-meta", is_blog_meta),
    ("navigation", is_navigation),
    ("call-to-action", is_call_to_action),
    ("disclaimer", is_disclaimer),
    ("widget", is_widget_lead),
    ("paywall", is_paywall_note),
    ("affiliate", is_affiliate_note),
)


def ends_with_final_punctuation(text: str) -> bool:
    """Whether ``text`` ends (a final newline aside) in a final mark and any closing marks."""
    body = text.removesuffix("\n").rstrip(CLOSING_MARKS)
    return body[-1:] != "" and body[-1] in FINAL_MARKS


def mark_ticker_titles(lines: list[Line]) -> list[Line]:
    """Drop the short title line ("Coin Marketplace") directly above a block of ticker rows."""
    marked = list(lines)
    for index in range(len(lines) - 1):
        line, following = lines[index], lines[index + 1]
        if (
            line.dropped is None
            and following.dropped == "ticker"
            and word_count(line.text) <= MAX_TICKER_TITLE_WORDS
            and not ends_with_final_punctuation(line.text)
        ):
            marked[index] = Line(line.start, line.end, line.text, "ticker", line.standalone, line.heading)
    return marked
