"""Numbers that a notebook's markdown states, and whether its code or outputs back them (every number is computed).

A prose number is a decimal (``0.34``, ``1e-6``) or an integer above 10 (``1,797``, ``784``). It is backed when a
number in a code cell or an output rounds to it at the precision it is written with (``0.34`` matches an output
``0.3400123``; ``95%`` also matches ``0.951``). The exemptions, kept short and explicit:
- the numbering of headings and of bold item titles (``## 6.``, ``# Chapter 02.2``, ``**6.1 Forward pass.**``);
- years (integers from 1800 to 2099) and citations: ``[12]``, URLs, link targets, arXiv and DOI identifiers;
- equation references (``Eq. 3``, ``equation (12)``);
- a quiz question's cell (``**Q3.** ...``): its scenario is hypothetical and a wrong option is wrong on purpose.
"""
import bisect
import re

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?"
PROSE_NUMBER = re.compile(rf"(?<![\w.^_{{]){_NUMBER}(?![\w]|\.\d)(\s?%)?")
ANY_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")

EXEMPT = [
    re.compile(r"^\s*#+\s*(?:Chapter\s+)?\d+(?:\.\d+)*\.?", re.M | re.I),  # headings: "## 6.", "# Chapter 02.2"
    re.compile(r"^\s*\*\*\d+(?:\.\d+)*\.?", re.M),           # bold item titles: "**6.1 Forward pass.**"
    re.compile(r"^\s*\*\*Q\d+\..*", re.S),                  # a quiz question cell ("**Q3.** ..."), options too
    re.compile(r"\]\([^)]*\)"),                               # markdown link targets
    re.compile(r"https?://\S+|\b(?:arXiv|doi):\s*\S+", re.I),  # URLs, arXiv and DOI identifiers
    re.compile(r"\[\d+(?:\s*[,\u2013-]\s*\d+)*\]"),           # citations: [12], [3, 4]
    re.compile(r"\b(?:Eq|Eqs|Equation|equation)s?\.?\s*\(?\d+\)?"),  # equation references
]


def _value(token):
    return float(token.replace(",", ""))


def _tolerance(token):
    """Half a unit in the last written digit: '0.34' -> 0.005, '784' -> 0.5, '1e-6' -> 5e-7."""
    mantissa, _, exponent = token.replace(",", "").lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (int(exponent or 0) - decimals)


def prose_numbers(markdown):
    """[(token, value, tolerance, is_percent)] of the numbers a markdown text states, exemptions removed."""
    text = markdown
    for pattern in EXEMPT:
        text = pattern.sub(" ", text)
    found = []
    for match in PROSE_NUMBER.finditer(text):
        token = match.group(0).rstrip("% ").strip()
        value = _value(token)
        is_decimal = "." in token or "e" in token.lower()
        if not is_decimal and (value <= 10 or 1800 <= value <= 2099 and "," not in token):
            continue
        found.append((token, value, _tolerance(token), bool(match.group(1))))
    return found


def backing_numbers(texts):
    """Sorted absolute values of every number in the given code and output texts."""
    values = set()
    for text in texts:
        text = re.sub(r"(?<=\d)_(?=\d)", "", text)  # 1_000 in code
        values.update(float(m) for m in ANY_NUMBER.findall(text))
        values.update(_value(m) for m in GROUPED.findall(text))
    return sorted(values)


def _backed(value, tolerance, backing):
    low = bisect.bisect_left(backing, value - tolerance * (1 + 1e-9))
    return low < len(backing) and backing[low] <= value + tolerance * (1 + 1e-9)


def output_texts(cell):
    """The text an executed code cell shows: streams and text/plain, text/html, text/markdown, text/latex."""
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            texts.append(output.get("text", ""))
        for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
            data = output.get("data", {}).get(mime)
            if data:
                texts.append(data if isinstance(data, str) else "".join(data))
    return texts


def unbacked_numbers(nb):
    """Tokens of numbers that the notebook's markdown states and neither its code nor its outputs hold."""
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    backing = backing_numbers([cell.source for cell in code] + [t for cell in code for t in output_texts(cell)])
    flagged = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for token, value, tolerance, percent in prose_numbers(cell.source):
            if _backed(value, tolerance, backing) or percent and _backed(value / 100, tolerance / 100, backing):
                continue
            if token not in flagged:
                flagged.append(token)
    return flagged
