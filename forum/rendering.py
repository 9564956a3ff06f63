"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises, @mentions become profile links.

Posts are rendered once when saved; the HTML is stored beside the source."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from html import unescape
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

# `@Anna_Lindqvist` names the member "Anna Lindqvist": underscores stand for spaces.
MENTION_RE = re.compile(r"(?<![\w@/])@([^\W_][\w.\-]*(?:_[\w.\-]+)*)", re.UNICODE)
LINK_REL = "nofollow ugc noopener"
ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
URL_SCHEMES = {"http", "https", "mailto"}
TABLE_ALIGN = {"text-align:left", "text-align:center", "text-align:right"}  # from Markdown tables

# A UTF-16 half without its other half: JSON ("\ud800") can carry one, UTF-8 cannot.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

MentionResolver = Callable[[Iterable[str]], dict[str, tuple[int, str]]]


def storable(text: str) -> str:
    """Text as every database can store it and every encoder can write it: NUL characters
    (PostgreSQL refuses them in text) dropped, lone surrogates replaced by U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _LONE_SURROGATE.sub("\ufffd", text)


def mention_key(name: str) -> str:
    """The normalised handle of a display name: 'Anna Lindqvist' -> 'anna_lindqvist'."""
    return "_".join(name.split()).casefold()


def find_mentions(source: str) -> set[str]:
    """Handles written as @Name_Surname in `source`, as typed (code is not told apart here;
    the renderer links only mentions in running text and reports which)."""
    return {match.group(1).rstrip(".-") for match in MENTION_RE.finditer(source)}


def is_local_url(url: str, host: str | None = None) -> bool:
    """A path on our own site (or an absolute URL on `host`)."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return True
    parts = urlsplit(url)
    return bool(host) and parts.scheme in ("http", "https") and parts.netloc == host


@lru_cache(maxsize=8)
def _build(host: str | None) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    default_image = md.renderer.rules.get("image")

    def image(renderer, tokens, idx, options, env):
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        if is_local_url(src, host):
            return default_image(tokens, idx, options, env)
        # A foreign image becomes a plain link: no tracking pixels, no hot-linking.
        alt = md.renderer.renderInlineAsText(token.children or [], options, env) or src
        return f'<a href="{_escape(src)}">{_escape(alt)}</a>'

    md.add_render_rule("image", image)
    md.core.ruler.push("mentions", _link_mentions)
    return md


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _link_mentions(state) -> None:
    """Turn @handles in running text (not in links or code) into links to profiles."""
    resolved: dict[str, tuple[int, str]] = state.env.get("mentions", {})
    linked: set[int] = state.env.setdefault("linked", set())
    if not resolved:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, in_link = [], 0
        for token in block.children:
            if token.type == "link_open":
                in_link += 1
            elif token.type == "link_close":
                in_link -= 1
            if token.type != "text" or in_link:
                children.append(token)
                continue
            children.extend(_split_mentions(token, resolved, linked))
        block.children = children


def _split_mentions(token: Token, resolved, linked: set[int]) -> list[Token]:
    out, text, last = [], token.content, 0
    for match in MENTION_RE.finditer(text):
        handle = match.group(1).rstrip(".-")
        target = resolved.get(handle.casefold())
        if target is None:
            continue
        end = match.start(1) + len(handle)
        if match.start() > last:
            out.append(_text(text[last:match.start()]))
        user_id, name = target
        linked.add(user_id)
        link = Token("link_open", "a", 1)
        link.attrs = {"href": f"/members/{user_id}", "class": "mention"}
        out.extend([link, _text("@" + name), Token("link_close", "a", -1)])
        last = end
    if not out:
        return [token]
    if last < len(text):
        out.append(_text(text[last:]))
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _attribute_filter(host: str | None):
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and not is_local_url(value, host):
            return None
        if attribute == "style" and value not in TABLE_ALIGN:
            return None
        return value

    return keep


def sanitise(html: str, host: str | None = None) -> str:
    """Keep only harmless tags and attributes; every link gets rel=nofollow ugc noopener."""
    return nh3.clean(storable(html), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     attribute_filter=_attribute_filter(host), link_rel=LINK_REL,
                     url_schemes=URL_SCHEMES, strip_comments=True,
                     allowed_classes={"a": {"mention"}})


_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|pre|tr|td|th)>|<br\s*/?>", re.I)


def plain_text(html: str) -> str:
    """The words of stored (sanitised) HTML without any markup, for search and excerpts:
    tags removed, entities decoded, blocks separated by a space, whitespace collapsed."""
    spaced = _BLOCK_END.sub(" ", html or "")
    return " ".join(unescape(nh3.clean(spaced, tags=set())).split())


def render_markdown(source: str, *, mentions: dict[str, tuple[int, str]] | None = None,
                    host: str | None = None) -> str:
    """Markdown -> sanitised HTML. `mentions` maps handles to (user id, display name)."""
    return render_with_mentions(source, mentions=mentions, host=host)[0]


def render_with_mentions(source: str, *, mentions: dict[str, tuple[int, str]] | None = None,
                         host: str | None = None) -> tuple[str, set[int]]:
    """Sanitised HTML and the ids of the members actually linked (not those inside code)."""
    env = {"mentions": mentions or {}}
    html = _build(host).render(storable(source), env)
    return sanitise(html, host), env.get("linked", set())


def quote_source(author_name: str, post_id: int, body_source: str) -> str:
    """The Markdown a reply starts with when it quotes a post: a block that links back."""
    lines = body_source.strip().splitlines() or [""]
    quoted = "\n".join("> " + line if line else ">" for line in lines)
    return f"> **{author_name}** [wrote](/p/{post_id}):\n>\n{quoted}\n\n"
