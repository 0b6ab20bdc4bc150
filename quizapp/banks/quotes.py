"""Find a quote in an article: compare ignoring only whitespace and the style of quotation marks."""

from dataclasses import dataclass

# Every quotation mark (German, French, English, typewriter; double and single) compares equal.
QUOTE_MARKS = "„“”\"»«‚‘’'‹›"
_ONE_MARK = '"'


@dataclass(frozen=True)
class Normalised:
    """A normalised copy of a text and, per character, its index in the original."""

    text: str
    origin: list[int]


def normalise(text: str) -> Normalised:
    """Collapse whitespace runs to one space and unify quotation marks, keeping an index map."""
    chars: list[str] = []
    origin: list[int] = []
    in_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not in_space:
                chars.append(" ")
                origin.append(index)
            in_space = True
            continue
        in_space = False
        chars.append(_ONE_MARK if char in QUOTE_MARKS else char)
        origin.append(index)
    return Normalised("".join(chars), origin)


def matching_text(text: str) -> str:
    """Return the normalised copy of a text used for matching (never shown to learners)."""
    return normalise(text).text


def find_quote(article_text: str, quote: str) -> tuple[int, int] | None:
    """Return the (start, end) offsets of the quote's first occurrence in the original text."""
    needle = normalise(quote.strip()).text
    if not needle:
        return None
    haystack = normalise(article_text)
    position = haystack.text.find(needle)
    if position < 0:
        return None
    start = haystack.origin[position]
    end = haystack.origin[position + len(needle) - 1] + 1
    return start, end


def longest_found_prefix(article_text: str, quote: str) -> str:
    """Return the longest start of the quote that does occur in the article (for error hints)."""
    needle = normalise(quote.strip()).text
    haystack = normalise(article_text).text
    low, high = 0, len(needle)
    # A prefix that occurs implies every shorter one occurs: binary search on the length.
    while low < high:
        middle = (low + high + 1) // 2
        if needle[:middle] in haystack:
            low = middle
        else:
            high = middle - 1
    return needle[:low]
