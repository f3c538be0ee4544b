"""Feedback pages render maths offline: LaTeX in markdown cells becomes MathML, and no script loads from a CDN.

nbconvert's HTML (and nbgrader's feedback template) loads MathJax from cdnjs, which a class network may not reach
and the course never relies on (no network at run time). Instead :class:`MathToMathML` converts every ``$...$``,
``$$...$$``, ``\\(...\\)`` and ``\\[...\\]`` of a markdown cell to MathML with latex2mathml (browsers render MathML
natively), and :func:`strip_remote_scripts` removes the MathJax loader and any other remote script or stylesheet
from the written page.
"""
import html
import re

from nbgrader.preprocessors import NbGraderPreprocessor

# Code (fenced blocks, then inline spans) is kept as is; maths is looked for only in the text between.
_CODE = re.compile(r"(^```.*?^```[ \t]*$|^~~~.*?^~~~[ \t]*$|`+[^`]*`+)", re.DOTALL | re.MULTILINE)
_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|\\\[(.+?)\\\]|(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?!\d)"
                   r"|\\\((.+?)\\\)", re.DOTALL)
_MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL)
_REMOTE = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>"
                     r"|<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE)


def latex_to_mathml(latex, display):
    """MathML for one LaTeX expression; the LaTeX itself in a <code> when latex2mathml cannot convert it."""
    from latex2mathml.converter import convert

    try:
        mathml = convert(latex.strip(), display="block" if display else "inline")
    except Exception:  # an unsupported command: show the source rather than lose the expression
        return f"<code>{html.escape(latex)}</code>"
    # markdown must not read MathML text as emphasis or escapes
    return mathml.replace("*", "&#42;").replace("_", "&#95;").replace("\\", "&#92;")


def _convert_text(text):
    def replace(match):
        display_latex = match.group(1) or match.group(2)
        if display_latex is not None:
            return latex_to_mathml(display_latex, display=True)
        return latex_to_mathml(match.group(3) or match.group(4), display=False)

    return _MATH.sub(replace, text)


def markdown_with_mathml(source):
    """A markdown cell's source with every maths expression outside code replaced by MathML."""
    parts = _CODE.split(source)
    return "".join(part if index % 2 else _convert_text(part) for index, part in enumerate(parts))


class MathToMathML(NbGraderPreprocessor):
    """Convert the maths of markdown cells to MathML before the feedback page is written (no MathJax needed)."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown" and ("$" in cell.source or "\\(" in cell.source or "\\[" in cell.source):
            try:
                cell.source = markdown_with_mathml(cell.source)
            except Exception:  # never let one odd cell break the feedback: leave it as written
                pass
        return cell, resources


def strip_remote_scripts(page):
    """The HTML page without the MathJax loader and without any script or stylesheet fetched from the network."""
    return _REMOTE.sub("", _MATHJAX_BLOCK.sub("", page))
