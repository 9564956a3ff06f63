"""Words: splitting text into words, stemming them in Swedish or English, telling which of
the two a text is written in, and the highlighted excerpt of a result.

No diacritic folding anywhere: å, ä and ö are letters of their own (`öst` is not `ost`)."""
from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
from markupsafe import Markup, escape

LANGUAGES = {"sv": "swedish", "en": "english"}  # our code -> Snowball and PostgreSQL name

# Letters and digits only: the same words SQLite's unicode61 tokenizer sees.
WORD = re.compile(r"[^\W_]+")

# Common words that tell the languages apart (and that a query may leave out: PostgreSQL's
# configurations drop them too).
STOPWORDS = {
    "sv": frozenset("""och att det som en på är av för med till den har de inte om ett han
        men var jag sig från vi så kan man när år säger hon under också efter eller nu sin
        där vid mot ska skulle kommer ut får finns vara hade alla andra mycket än här då
        sedan över bara vad vill dessa hur detta dem blir blev oss vår våra ni er ert""".split()),
    "en": frozenset("""the and of to a in is that it for on was with as be by at this are
        from or have an they which not but what all were when we there can been has more
        if will one do would so their about its who than them these our also how into
        should could may you your i he she his her""".split()),
}


def words(text: str) -> list[str]:
    """The text's words, lower-cased."""
    return WORD.findall(text.lower())


@lru_cache(maxsize=4)
def _stemmer(language: str):
    return snowballstemmer.stemmer(LANGUAGES[language])


def stems(text_words: list[str], language: str) -> list[str]:
    return _stemmer(language).stemWords(text_words)


def stemmed(text: str, language: str) -> str:
    """The text as stemmed words separated by spaces (what SQLite's FTS5 indexes)."""
    return " ".join(stems(words(text), language))


def detect_language(text: str, fallback: str) -> str:
    """'sv' or 'en': whichever language's common words (and å, ä, ö) the text holds more
    of; `fallback` when it cannot tell (short texts, names, numbers)."""
    found = words(text[:4000])
    swedish = sum(1 for w in found if w in STOPWORDS["sv"])
    swedish += sum(1 for w in found if any(c in w for c in "åäö"))
    english = sum(1 for w in found if w in STOPWORDS["en"])
    if swedish == english:
        return fallback
    return "sv" if swedish > english else "en"


def excerpt(text: str, query_stems: dict[str, set[str]], language: str,
            width: int = 240) -> Markup:
    """An escaped excerpt of `text` around its first matching words, each match in
    <mark>. Everything outside the marks is escaped text: an excerpt never carries markup
    from the content."""
    wanted = query_stems.get(language, set())
    spans = [(m.start(), m.end()) for m in WORD.finditer(text)
             if _stemmer(language).stemWord(m.group().lower()) in wanted]
    start = 0
    if spans and spans[0][0] > width // 3:
        start = text.rfind(" ", 0, spans[0][0] - width // 3) + 1
    end = min(len(text), start + width)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    parts: list[Markup | str] = ["… " if start else ""]
    position = start
    for begin, finish in spans:
        if begin < start or finish > end:
            continue
        parts += [escape(text[position:begin]), Markup("<mark>%s</mark>") % text[begin:finish]]
        position = finish
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(" …")
    return Markup("").join(parts)


def highlight(text: str, query_stems: dict[str, set[str]], language: str) -> Markup:
    """The whole (short) text, escaped, its matching words in <mark>: for titles."""
    return excerpt(text, query_stems, language, width=max(len(text), 1))
