"""Feedback maths offline: LaTeX in markdown becomes MathML, code and prices stay as written, remote scripts go."""
from autograder.feedback_math import markdown_with_mathml, strip_remote_scripts


def test_inline_and_display_maths_become_mathml_outside_code():
    source = ("The loss $L = \\frac{1}{2}(y - t)^2$ costs $5 or $6.\n\n$$\\frac{\\partial L}{\\partial w}$$\n\n"
              "In code: `x = $a$` and\n```\nprice = '$9 $10'\n```\n")
    out = markdown_with_mathml(source)
    assert out.count('<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">') == 1
    assert out.count('display="block"') == 1 and "<mfrac>" in out
    assert "costs $5 or $6." in out                      # amounts of money are not maths
    assert "`x = $a$`" in out and "price = '$9 $10'" in out  # code is left alone
    assert "\\frac" not in out.split("`x")[0]


def test_unconvertible_latex_is_shown_as_code_not_lost():
    out = markdown_with_mathml("see $\\notacommand{x}$ here")
    assert "notacommand" in out and ("<code>" in out or "<math" in out)


def test_remote_scripts_and_stylesheets_are_removed_local_ones_kept():
    page = ('<head><!-- Load mathjax -->\n<script src="https://cdn.example/mathjax.js"> </script>\n<script type="text'
            '/x-mathjax-config">init()</script>\n<!-- End of mathjax configuration -->'
            '<script src="//cdn.example/x.js"></script><link rel="stylesheet" href="https://cdn.example/a.css">'
            '<script>local()</script><style>p{}</style></head>')
    out = strip_remote_scripts(page)
    assert "cdn.example" not in out and "mathjax" not in out.lower()
    assert "<script>local()</script>" in out and "<style>p{}</style>" in out
