"""Rule-based, deterministic, offset-exact sentence and token splitting for clinical text.

Sentences
  * Every line break (`\\n`, `\\r\\n`, `\\r`) ends a sentence; blank lines give no sentence.
  * Within a line, `.`, `?` or `!` (a run of them, plus closing quotes/brackets) ends a sentence when
    followed by whitespace and then an upper-case letter or a digit, except after an abbreviation:
    a word in `ABBREVIATIONS` (case-insensitive, e.g. `Dr.`, `mg.`, `etc.`), letter-dot sequences
    (`p.o.`, `b.i.d.`, `q.d.`, `e.g.`, `i.e.`, initials like `J.`), or a list number (`1.`) that
    opens its sentence.
  * Sentences are trimmed of surrounding whitespace; empty ones are dropped. All gaps between
    sentences are whitespace, so every non-space character belongs to exactly one sentence.

Tokens (`TOKEN_PATTERN`)
  * letter-dot abbreviation of two or more letters: `p.o.`, `b.i.d.`, `e.g.` (one token each);
  * word: a letter followed by letters/digits (`B12`, `x2`), with internal apostrophes kept
    (`Paget's`, `don't`); hyphens, slashes and other punctuation are separate tokens
    (`azithromycin-induced` -> `azithromycin`, `-`, `induced`);
  * number: digits with internal `.`/`,` groups (`2.5`, `1,000`, `12.05.2020`); a number directly
    followed by letters is two tokens (`5mg` -> `5`, `mg`);
  * any other non-space character is a token of its own.
  * Tokens are then split at every position in `boundaries` (entity boundaries), so that each entity
    starts and ends on token edges. Tokens never contain whitespace and cover every non-space character.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection

from clinical_ner.data.records import Span

TOKEN_PATTERN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_][^\W_]*(?:['\u2019][^\W\d_][^\W_]*)*|\d+(?:[.,]\d+)*|\S")
_LINE = re.compile(r"[^\r\n]+")
_CLOSERS = "\"')]\u2019\u201d"
_TERMINAL = re.compile(r"[.?!]+[\"')\]\u2019\u201d]*(?=\s+(\S))")
_LETTER_DOTS = re.compile(r"(?:[^\W\d_]\.)+")

ABBREVIATIONS: frozenset[str] = frozenset(
    """
    dr drs mr mrs ms prof st sr jr vs etc approx al fig figs ref no nos pt pts
    mg mcg ml tab tabs cap caps inj sig disp hr hrs min wk wks yr yrs mo
    po bid tid qid qd qhs qod prn iv im sc sq subq sl inh
    """.split()
)


def _is_abbreviation(text: str, line_start: int, sentence_start: int, dot: int) -> bool:
    """Whether the `.` at `dot` closes an abbreviation (or an opening list number) rather than a sentence."""
    begin = dot
    while begin > line_start and (text[begin - 1].isalnum() or text[begin - 1] == "."):
        begin -= 1
    word = text[begin : dot + 1]
    if word == ".":
        return False
    if word[:-1].isdigit():
        return not text[sentence_start:begin].strip()
    letters = word.lstrip("0123456789.")
    return letters[:-1].lower() in ABBREVIATIONS or bool(_LETTER_DOTS.fullmatch(letters))


def trim_span(text: str, start: int, end: int) -> Span | None:
    """`(start, end)` without surrounding whitespace; None when only whitespace is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def sentence_spans(text: str) -> list[Span]:
    """Sentence `(start, end)` character spans, in order, trimmed and non-empty."""
    spans: list[Span] = []
    for line in _LINE.finditer(text):
        line_start, line_end = line.span()
        start = line_start
        for match in _TERMINAL.finditer(text, line_start, line_end):
            following = match.group(1)
            if not (following.isupper() or following.isdigit()):
                continue
            if match.group().rstrip(_CLOSERS) == "." and _is_abbreviation(
                text, line_start, start, match.start()
            ):
                continue
            span = trim_span(text, start, match.end())
            if span:
                spans.append(span)
            start = match.end()
        span = trim_span(text, start, line_end)
        if span:
            spans.append(span)
    return spans


def token_spans(text: str, start: int, end: int, boundaries: Collection[int] = frozenset()) -> list[Span]:
    """Token `(start, end)` spans of `text[start:end]`, split further at every position in `boundaries`."""
    return split_token_spans(text, start, end, boundaries)[0]


def split_token_spans(
    text: str, start: int, end: int, boundaries: Collection[int] = frozenset()
) -> tuple[list[Span], int]:
    """`token_spans` and the number of raw tokens that a boundary cut into pieces."""
    cuts = sorted(b for b in boundaries if start < b < end)
    spans: list[Span] = []
    n_cut = 0
    for match in TOKEN_PATTERN.finditer(text, start, end):
        token_start, token_end = match.span()
        inner = cuts[bisect_right(cuts, token_start) : bisect_left(cuts, token_end)] if cuts else []
        n_cut += bool(inner)
        for cut in inner:
            spans.append((token_start, cut))
            token_start = cut
        spans.append((token_start, token_end))
    return spans, n_cut
