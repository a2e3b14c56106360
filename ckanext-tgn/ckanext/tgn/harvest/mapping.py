"""What partner catalogs say, turned into values of our dataset schema (pure functions).

The harvesters read DCAT, ISO 19139 and OpenDataSoft records whose vocabularies are not
ours; the aliases that bridge them are data, in ``lib/vocabularies/`` (``aliases`` of each
concept, ``alternate_urls``/``alternate_titles`` of each licence). Functions that map a list
return what they did not understand too, so the caller can warn instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.etree as etree
import lxml.html

from ckanext.tgn.lib import refdata, vocab

# CKAN's limits (ckan.model.tag), repeated so that this module needs no CKAN model.
MIN_TAG_LENGTH = 2
MAX_TAG_LENGTH = 100

_TAG_CHARACTER = re.compile(r"[\w \-.]")  # what ckan's tag_name_validator accepts
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")  # as tgn_email
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f]")
_UNPARSABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # lxml refuses
_MARKUP = re.compile(r"<[A-Za-z!/?]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s\"']+)>", re.IGNORECASE)  # Markdown's <url>
_DIGITS = re.compile(r"\d+")
_IANA = "http://iana.org/assignments/media-types/"


# --- Text keys --------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Case, accents and punctuation ignored: "Transports, Déplacements" is
    "transports deplacements"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = (w.strip(".") for w in re.sub(r"[^\w.]+|_", " ", bare).split())
    return " ".join(w for w in words if w)


def _is_url(text: str) -> bool:
    return bool(_SCHEME.match(text.strip()))


def _key(value: str) -> str:
    """The comparison key of a URI (normalised) or of a label (folded)."""
    text = value.strip()
    return normalise_url(text).casefold() if _is_url(text) else _fold(text)


def normalise_url(url: str) -> str:
    """A URL for comparisons: http = https, lower-case host without "www.", default port,
    trailing slash and fragment; the path and query are kept as they are."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # an unclosed IPv6 bracket, a port that is not a number
        return text.split("#", 1)[0].rstrip("/")
    if not parts.scheme or not parts.netloc:
        return text.split("#", 1)[0].rstrip("/")
    scheme = parts.scheme.lower()
    if scheme == "https":
        scheme = "http"
    host = (parts.hostname or "").removeprefix("www.")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and not (scheme == "http" and port in (80, 443)):
        host = f"{host}:{port}"
    if "@" in parts.netloc:
        host = f"{parts.netloc.rsplit('@', 1)[0]}@{host}"
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{host}{path}{query}"


def _url_tails(value: str) -> Iterator[str]:
    """The label a URL may end with: its fragment, last path segment or query values
    (ODS writes a frequency IRI as the text "En continu", facets as ``?refine.theme=``)."""
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return
    if parts.fragment:
        yield unquote(parts.fragment)
    segments = [s for s in parts.path.split("/") if s]
    if segments:
        yield unquote(segments[-1])
    for pair in parts.query.split("&"):
        if "=" in pair:
            yield unquote(pair.split("=", 1)[1].replace("+", " "))


# --- Vocabularies -----------------------------------------------------------------------


@cache
def _index(name: str) -> dict[str, vocab.Concept]:
    """Every name of each concept (URI, code, labels, aliases) by comparison key."""
    found: dict[str, vocab.Concept] = {}
    for concept in vocab.vocabulary(name).concepts:
        names = [concept.uri, concept.code, concept.fr, concept.en]
        names += concept.extra.get("aliases", [])
        names += concept.extra.get("extensions", [])
        if concept.extra.get("media_type"):
            names.append(concept.extra["media_type"])
        for alias in names:
            found.setdefault(_key(str(alias)), concept)
    return found


def _concept(name: str, value: str, *, tails: bool = True) -> vocab.Concept | None:
    """The concept a value names: the vocabulary's own lookup, then aliases, then the label
    at the end of a URL."""
    text = value.strip()
    if not text:
        return None
    concept = vocab.vocabulary(name).lookup(text)
    if concept is not None:
        return concept
    concept = _index(name).get(_key(text))
    if concept is not None or not tails or not _is_url(text):
        return concept
    for tail in _url_tails(text):
        concept = _index(name).get(_key(tail)) if tail.strip() else None
        if concept is not None:
            return concept
    return None


def _mapped(name: str, value: str, label_map: Mapping[str, str] | None) -> vocab.Concept | None:
    """The source file's own map first (label -> code or URI), case- and accent-insensitive."""
    if not label_map:
        return None
    wanted = _key(value)
    for label, target in label_map.items():
        if _key(str(label)) == wanted:
            return _concept(name, str(target), tails=False)
    return None


def theme_uris(
    values: Iterable[str], label_map: Mapping[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """EU data-theme URIs (sorted, unique) and the values that name none of them."""
    uris: set[str] = set()
    unknown: list[str] = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        concept = _mapped("data-theme", text, label_map) or _concept("data-theme", text)
        if concept is not None:
            uris.add(concept.uri)
        elif text not in unknown:
            unknown.append(text)
    return sorted(uris), unknown


def frequency_uri(value: str | None, label_map: Mapping[str, str] | None = None) -> str | None:
    """The EU frequency URI a record's periodicity names, else None (the caller's default)."""
    text = (value or "").strip()
    if not text:
        return None
    concept = _mapped("frequency", text, label_map) or _concept("frequency", text)
    return concept.uri if concept else None


def language_uris(values: Iterable[str]) -> list[str]:
    """EU language URIs, in the record's order, unique; unknown languages are dropped."""
    uris: list[str] = []
    for value in values:
        text = str(value).strip()
        concept = _concept("language", text)
        if concept is None and re.fullmatch(r"[A-Za-z]{2,3}[-_][A-Za-z0-9]{2,8}", text):
            concept = _concept("language", re.split(r"[-_]", text)[0])  # fr-FR, fr_FR
        if concept is not None and concept.uri not in uris:
            uris.append(concept.uri)
    return uris


def file_type(fmt: str | None, mimetype: str | None = None, url: str | None = None) -> str | None:
    """Our file-type code from a format label, else from the media type, else from the URL's
    extension; None when nothing is known (the schema then guesses or leaves it blank)."""
    for value in (fmt, mimetype):
        text = (value or "").strip()
        if not text:
            continue
        concept = _concept("file-type", text, tails=False)
        if concept is None:
            key = normalise_url(text).casefold() if _is_url(text) else ""
            if key.startswith(_IANA):  # https://www.iana.org/assignments/media-types/text/csv
                concept = _concept("file-type", key.removeprefix(_IANA), tails=False)
            elif ";" in text:  # text/csv; charset=utf-8
                concept = _concept("file-type", text.split(";", 1)[0], tails=False)
            elif text.startswith("."):
                concept = _concept("file-type", text[1:], tails=False)
        if concept is not None:
            return concept.code
    guessed = vocab.file_type_for_name(url) if url else None
    return guessed.code if guessed else None


# --- Licences ---------------------------------------------------------------------------


@cache
def _licence_keys() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Our licences by exact URL, by normalised URL and by folded title or id."""
    exact: dict[str, str] = {}
    urls: dict[str, str] = {}
    titles: dict[str, str] = {}
    for licence in vocab.licences():
        lid = licence["id"]
        if licence.get("url"):
            exact.setdefault(licence["url"], lid)
        for url in [licence.get("url"), *licence.get("alternate_urls", [])]:
            if url:
                urls.setdefault(normalise_url(url).casefold(), lid)
        names = [licence.get("title"), licence.get("title_en"), lid]
        for title in [*names, *licence.get("alternate_titles", [])]:
            if title:
                titles.setdefault(_fold(title), lid)
    return exact, urls, titles


def licence_id(value: str | None) -> str | None:
    """One of our licence ids from a licence URL, title or id; None when it is not one of
    ours (Licence Ouverte 1.0 "fr-lo" included): never an implicit default."""
    text = (value or "").strip()
    if not text:
        return None
    exact, urls, titles = _licence_keys()
    if text in exact:
        return exact[text]
    if _is_url(text):
        return urls.get(normalise_url(text).casefold())
    found = titles.get(_fold(text))
    if found is None and re.match(r"^[\w-]+(\.[\w-]+)+/", text):  # a URL without scheme
        found = urls.get(normalise_url("http://" + text).casefold())
    return found


# --- Territories ------------------------------------------------------------------------

_INSEE_KINDS = {
    "commune": refdata.KIND_COMMUNE,
    "intercommunalite": refdata.KIND_EPCI,
    "departement": refdata.KIND_DEPARTEMENT,
}


@cache
def _territory_names() -> dict[str, str]:
    """Territory codes by folded name, code label ("Montauban (82121)") and SIREN."""
    found: dict[str, str] = {}
    for code, territory in refdata.territories().items():
        found[_fold(territory.name)] = code
        found[_fold(refdata.territory_label(territory))] = code
    return found


@cache
def _territory_sirens() -> dict[str, str]:
    return {t.siren: code for code, t in refdata.territories().items() if t.siren}


def _territory_code(value: str) -> str | None:
    text = value.strip()
    if _is_url(text):
        try:
            parts = urlsplit(text)
        except ValueError:
            return None
        host = (parts.hostname or "").removeprefix("www.")
        segments = [s for s in parts.path.split("/") if s]
        if host == "id.insee.fr" and len(segments) == 3 and segments[0] == "geo":
            territory = refdata.territory(segments[2])
            kind = _INSEE_KINDS.get(segments[1])
            return territory.code if territory and territory.kind == kind else None
        if host == "annuaire-entreprises.data.gouv.fr" and segments[:1] == ["entreprise"]:
            siren = re.search(r"(\d{9})$", segments[-1]) if len(segments) == 2 else None
            return _territory_sirens().get(siren.group(1)) if siren else None
        return None
    if _DIGITS.fullmatch(text):
        territory = refdata.territory(text)
        return territory.code if territory else _territory_sirens().get(text)
    return _territory_names().get(_fold(text))


def territory_codes(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """Territory codes of our reference data (sorted, unique) and the values that name none
    (another département, "France entière", an unknown code)."""
    codes: set[str] = set()
    unknown: list[str] = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        code = _territory_code(text)
        if code is not None:
            codes.add(code)
        elif text not in unknown:
            unknown.append(text)
    return sorted(codes), unknown


# --- HTML descriptions ------------------------------------------------------------------

_DROPPED = frozenset(
    {
        "script", "style", "template", "iframe", "object", "embed", "svg", "math", "head",
        "title", "noscript", "select", "textarea", "button", "canvas", "audio", "video",
        "img", "input", "meta", "link", "base", "frame", "frameset",
    }
)  # fmt: skip
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "nav",
        "address", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
        "li", "blockquote", "pre", "hr", "table", "thead", "tbody", "tfoot", "tr", "dl", "dt",
        "dd", "body", "html", "center", "fieldset", "details", "summary", "form", "caption",
    }
)  # fmt: skip
_MAX_DEPTH = 60  # deeper markup is flattened to its text: no recursion limit to reach
_BREAK = "\x00"  # a <br> inside inline text; NUL never survives the input cleaning
_LINK_ESCAPES = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", '"': "%22"}


def _escape(text: str) -> str:
    """Text that Markdown shows as written: its markup characters escaped, no raw HTML."""
    text = text.replace("\\", "\\\\")
    for char in "*`[]":
        text = text.replace(char, "\\" + char)
    text = re.sub(r"(?<!\w)_|_(?!\w)", r"\\_", text)  # intra-word underscores are harmless
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    return text.replace("<", "&lt;")


def _link_target(href: str | None) -> str | None:
    """An http(s) or mailto link, or None: any other scheme (javascript:, data:) is text."""
    text = (href or "").strip()
    if not text or _INVISIBLE.search(text):
        return None
    lowered = text.lower()
    if lowered.startswith("mailto:"):
        return "".join(_LINK_ESCAPES.get(c, c) for c in text) if "@" in text else None
    target = http_url(text)
    return "".join(_LINK_ESCAPES.get(c, c) for c in target) if target else None


def _tag(element: Any) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _wrap(marker: str, content: str) -> str:
    """Emphasis around the words only: ``** bold **`` is not bold in Markdown."""
    stripped = content.strip()
    if not stripped or _BREAK in stripped:
        return content
    lead = content[: len(content) - len(content.lstrip())]
    trail = content[len(content.rstrip()) :]
    return f"{lead}{marker}{stripped}{marker}{trail}"


def _text(value: str | None) -> str:
    return _escape(re.sub(r"\s+", " ", value)) if value else ""


def _inline(element: Any, depth: int) -> str:
    """An element's content as one line of Markdown (breaks marked with _BREAK)."""
    tag = _tag(element)
    if not tag:  # an entity lxml kept as a node
        return ""
    if tag == "br":
        return _BREAK
    if depth > _MAX_DEPTH:
        return _text(element.text_content())
    content = _text(element.text)
    for child in element:
        content += _inline(child, depth + 1) + _text(child.tail)
    if tag in ("strong", "b"):
        return _wrap("**", content)
    if tag in ("em", "i", "cite"):
        return _wrap("*", content)
    if tag == "code":
        code = re.sub(r"\s+", " ", element.text_content()).strip()
        fence = "``" if "`" in code else "`"
        return f"{fence} {code} {fence}" if code else ""
    if tag == "a":
        target = _link_target(element.get("href"))
        label = content.replace(_BREAK, " ").strip()
        if target is None:
            return content
        label = label or _escape(target)
        return f"[{label}]({target})"
    if tag in _BLOCKS:
        return f" {content} "
    return content


def _paragraph(content: str) -> str:
    lines = [" ".join(line.split()) for line in content.split(_BREAK)]
    # A line of text starting with "#" or ">" would become a heading or a quotation.
    lines = ["\\" + line if line[:1] in ("#", ">") else line for line in lines]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "  \n".join(lines)


def _indent(block: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in block.split("\n"))


def _list(element: Any, depth: int) -> str:
    ordered = _tag(element) == "ol"
    items = []
    for child in element:
        if _tag(child) == "li":
            blocks = _blocks(child, depth + 1)
        else:  # stray content between items
            blocks = [_paragraph(_inline(child, depth + 1) + _text(child.tail))]
        blocks = [b for b in blocks if b.strip()]
        if not blocks:
            continue
        marker = f"{len(items) + 1}. " if ordered else "- "
        body = blocks[0]
        for block in blocks[1:]:
            body += ("\n" if block.lstrip()[:2] in ("- ", "1.") else "\n\n") + block
        lines = body.split("\n")
        items.append(marker + lines[0] + "".join("\n" + _indent(x, "    ") for x in lines[1:]))
    return "\n".join(items)


def _blocks(element: Any, depth: int) -> list[str]:
    """An element's content as Markdown blocks (paragraphs, lists, headings...)."""
    tag = _tag(element)
    if depth > _MAX_DEPTH:
        return [_paragraph(_text(element.text_content()))]
    if tag in ("ul", "ol"):
        return [_list(element, depth)]
    if tag == "pre":
        code = element.text_content().strip("\n")
        return [_indent(code.expandtabs(4), "    ")] if code.strip() else []
    if tag == "hr":
        return ["---"]
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        title = _inline(element, depth).replace(_BREAK, " ")
        title = " ".join(title.split())
        return [f"{'#' * int(tag[1])} {title}"] if title else []
    if tag == "tr":
        cells = [" ".join(_inline(c, depth + 1).replace(_BREAK, " ").split()) for c in element]
        row = " | ".join(c for c in cells if c)
        return [row] if row else []
    blocks: list[str] = []
    pending = _text(element.text)
    for child in element:
        child_tag = _tag(child)
        if child_tag in _BLOCKS:
            blocks.append(_paragraph(pending))
            pending = ""
            blocks.extend(_blocks(child, depth + 1))
        else:
            pending += _inline(child, depth + 1)
        pending += _text(child.tail)
    blocks.append(_paragraph(pending))
    blocks = [b for b in blocks if b.strip()]
    if tag == "blockquote":
        return [_indent("\n\n".join(blocks), "> ").replace("\n\n", "\n>\n")] if blocks else []
    if tag in ("table", "thead", "tbody", "tfoot"):
        return ["  \n".join(blocks)] if blocks else []
    return blocks


def html_to_markdown(text: str | None) -> str:
    """Markdown from an HTML description (ODS portals): structure, emphasis and http(s) or
    mailto links kept; scripts, styles, attributes and other links dropped. Text without
    tags is taken to be Markdown or plain text already and only trimmed."""
    if not text or not text.strip():
        return ""
    if not _MARKUP.search(_AUTOLINK.sub("", text)):
        return text.strip()
    cleaned = _AUTOLINK.sub(r'<a href="\1">\1</a>', _UNPARSABLE.sub("", text))
    try:
        document = lxml.html.document_fromstring(cleaned)
    except (etree.ParserError, ValueError):
        return ""
    # Gone before rendering, so that no text of a script or comment can reach the output.
    etree.strip_elements(
        document, etree.Comment, etree.ProcessingInstruction, *_DROPPED, with_tail=False
    )
    body = document.find("body")
    if body is None:
        return ""
    # Only blank lines are trimmed: a leading code block keeps its indentation.
    return "\n\n".join(_blocks(body, 0)).strip("\n").rstrip()


# --- Keywords, contacts, links, lengths -------------------------------------------------


def clean_tag(tag: str) -> str | None:
    """A keyword CKAN's tag validators accept: other characters become spaces (accents are
    kept, unlike munge_tag), cut at a word boundary; None when too short or only dots."""
    text = unicodedata.normalize("NFC", str(tag))
    text = "".join(c if _TAG_CHARACTER.match(c) else " " for c in text)
    text = " ".join(text.split())
    if len(text) > MAX_TAG_LENGTH:
        cut = text[: MAX_TAG_LENGTH + 1]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_TAG_LENGTH]
        text = text[:MAX_TAG_LENGTH].rstrip()
    if len(text) < MIN_TAG_LENGTH or not any(c.isalnum() for c in text):
        return None
    return text


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Cleaned keywords, each once (case-insensitively), in their first order."""
    found: dict[str, str] = {}
    for tag in tags:
        cleaned = clean_tag(tag)
        if cleaned is not None:
            found.setdefault(cleaned.casefold(), cleaned)
    return list(found.values())


def email(value: str | None) -> str | None:
    """An e-mail address from ``vcard:hasEmail`` (``mailto:`` stripped), or None."""
    text = (value or "").strip()
    if text.lower().startswith("mailto:"):
        text = unquote(text[len("mailto:") :].split("?", 1)[0]).strip()
    if len(text) > 254 or not _EMAIL.match(text):
        return None
    return text


def http_url(value: str | None) -> str | None:
    """The URL, trimmed, if it is http(s) with a host (what tgn_http_url accepts), else None."""
    text = (value or "").strip()
    if not text or _INVISIBLE.search(text) or any(c.isspace() for c in text):
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text


def clip(text: str, limit: int) -> str:
    """The text within ``limit`` characters, cut at a word boundary and ended with "…"."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[: max(limit, 0)]
    cut = text[: limit - 1]
    if not text[limit - 1].isspace() and not cut[-1].isspace():  # inside a word: drop it
        words = cut.rsplit(None, 1)
        cut = words[0] if len(words) == 2 else cut
    return cut.rstrip() + "…"
