"""Hypothesis strategies for hostile input, and the HTML check every rendering must pass."""
from __future__ import annotations

import html as html_lib
import re
import xml.etree.ElementTree as ET

import html5lib
from hypothesis import strategies as st

# Characters that break naive code: bidi controls, joiners, combining marks, lone surrogates,
# NUL and other controls, line separators, a BOM, an emoji family, Swedish letters.
SPECIAL = ["\u200f", "\u200e", "\u202e", "\u2066", "\u2069", "\u200d", "\u200b", "\u200c",
           "\ufeff", "\u0301", "\u0338", "\u20dd", "\ud800", "\udfff", "\udbff\udc00"[0],
           "\x00", "\x01", "\x1b", "\x7f", "\r", "\n", "\r\n", "\t", "\x0b", "\x0c", "\u2028",
           "\u2029", "\ufffd", "\U0001f469\u200d\U0001f469\u200d\U0001f467", "å", "Ä", "ö",
           "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\U0010ffff"]

# Markup that tries to become active: scripts, handlers, dangerous URLs, raw HTML in Markdown.
FRAGMENTS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "<iframe src=//evil.example></iframe>", "<object data=x>", "<embed src=x>",
    "<style>*{color:red}</style>", "<form action=/logout><button>go</button></form>",
    "<a href=\"javascript:alert(1)\">x</a>", "<math><mi xlink:href=javascript:x>y</mi></math>",
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](java\tscript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)", "![p](data:image/svg+xml;base64,PHN2Zz4=)",
    "[x](vbscript:msgbox)", "[a](&#106;avascript:alert(1))", "[a](&#x6A;avascript:1)",
    "![x](/static/x.png\" onerror=\"alert(1))", "[x](/p/1\" onmouseover=\"alert(1))",
    "<javascript:alert(1)>", "<http://example.org/?a=1&b=2>", "[x]: javascript:alert(1)\n\n[x]",
    "![i](//evil.example/pixel.png)", "![i](/static/ok.png)", "| a | b |\n|:-|-:|\n| <b onclick=x>c</b> | d |",
    "```\n<script>x</script>\n```", "`<img src=x onerror=y>`", "> <script>q</script>",
    "@Anna_Lindqvist", "@", "**bold** _em_ ~~del~~", "&lt;script&gt;", "&#0;", "&#xD800;",
    "<!-- <script> -->", "<![CDATA[<script>]]>", "\\", "[", "](", "<", ">", "\"", "'", "1. a\n2. b",
    "# h\n", "---\n", "    indented <script>\n", "<p style=\"background:url(javascript:x)\">p</p>",
]

texts = st.lists(st.one_of(st.text(max_size=20), st.sampled_from(SPECIAL),
                           st.sampled_from(FRAGMENTS)), max_size=16).map("".join)

# JSON-like values of every type, for payload fields.
scalars = st.one_of(st.none(), st.booleans(), st.integers(),
                    st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 10**30]),
                    st.floats(allow_nan=True, allow_infinity=True), texts)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8)

ACTIVE_ELEMENTS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet",
                   "style", "link", "meta", "base", "form", "input", "button", "textarea",
                   "select", "svg", "math", "template", "noscript", "audio", "video", "source"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster",
                  "background", "data", "cite"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")
ALLOWED_STYLES = {"text-align:left", "text-align:center", "text-align:right"}
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f\u200b-\u200f\u2028\u2029\ufeff]")


def active_parts(markup: str) -> list[str]:
    """What in `markup`, parsed as a browser parses it (html5lib), could run or submit:
    active elements, on* handlers, javascript:/data: URLs, styles beyond table alignment."""
    fragment = html5lib.parseFragment(markup, treebuilder="etree",
                                      namespaceHTMLElements=False)
    found = []
    for element in fragment.iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in ACTIVE_ELEMENTS:
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            name = (name.rsplit("}", 1)[-1] if isinstance(name, str) else str(name)).lower()
            if name.startswith("on"):
                found.append(f"<{tag} {name}>")
            elif name in URL_ATTRIBUTES or name.endswith("href"):
                url = _IGNORED_IN_URLS.sub("", html_lib.unescape(value)).lower()
                if url.startswith(BAD_SCHEMES):
                    found.append(f"<{tag} {name}={value!r}>")
            elif name == "style" and value not in ALLOWED_STYLES:
                found.append(f"<{tag} style={value!r}>")
    return found


def parses(markup: str) -> ET.Element:
    return html5lib.parseFragment(markup, treebuilder="etree", namespaceHTMLElements=False)
