"""No computed number is typed by hand into a lecture's prose.

nbval compares what the code prints, not what the markdown says, so a number copied from an
output into the text goes stale silently when the code changes. The rule (CONTRIBUTING.md,
"Numbers in the prose"): every number in a markdown cell of a lecture, outside math
(``$...$``, ``$$...$$``, amsmath environments), inline code, code fences, glue roles and
directives, links and citations, must be

(a) a glued value (``{glue:text}`name` ``, stored by ``hepml.glue`` and compared by nbval),
(b) a literal that also appears in the source of one of the notebook's code cells (an input the
    text and code share, such as 125 GeV or an efficiency of 0.7; a percentage matches the
    fraction, 70 % matches 0.7),
(c) a reference to a section, chapter, figure, table or equation, or a heading's own number, or
(d) listed in ``EXCEPTIONS`` below, each with its reason.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

from hepml.course import paths

ROOT = paths.repository_root()
LECTURES = paths.lectures(ROOT)

#: (page name, number as written, why it may stay typed). Keep this short: glue or share
#: a literal with the code before adding to it.
EXCEPTIONS: tuple[tuple[str, str, str], ...] = ()

# Fences whose body is not prose: code, math, glue and the bibliography. Other directives
# (admonitions such as ```{tip} or :::{important}) hold prose and are checked.
_FENCE = re.compile(
    r"^(?P<fence>`{3,}|~{3,}|:{3,})[ \t]*(?P<info>\{[^}]*\}|[\w+-]*)[^\n]*$", re.MULTILINE
)
_VERBATIM = re.compile(r"\{(?:code|code-block|code-cell|glue[\w:]*|math|bibliography|raw)\}")

# What is not prose, blanked before numbers are looked for (order matters).
_NOT_PROSE = [
    re.compile(r"<!--.*?-->", re.DOTALL),  # HTML comments
    re.compile(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.DOTALL),  # amsmath environments
    re.compile(r"\$\$.*?\$\$", re.DOTALL),  # display math
    re.compile(r"(?<!\\)\$(?:\\\$|[^$])+?(?<!\\)\$", re.DOTALL),  # inline math
    re.compile(r"\{[\w:+-]+\}(`+)[^`]*?\1"),  # roles: {glue:text}`x`, {cite:p}`key`, {ref}`x`
    re.compile(r"(`+).*?\1", re.DOTALL),  # inline code
    re.compile(r"!?\[[^\]]*\]\([^)]*\)"),  # links and images, text and target
    re.compile(r"^#{1,6}[ \t]+[\d.]+", re.MULTILINE),  # a heading's own number
    re.compile(
        r"\b(?:sections?|chapters?|figures?|fig\.|tables?|equations?|eq\.|exercises?)"
        r"[ \t\n]+\d+(?:\.\d+)*(?:[ \t\n]*(?:,|and|-|to)[ \t\n]*\d+(?:\.\d+)*)*",
        re.IGNORECASE,
    ),  # references: section 2.6, chapters 3 and 4
]

# A number as prose writes it: 100 000 or 20,000 (groups of three), 0.683, 3.8, .5, 25 %.
_NUMBER = re.compile(
    r"(?<![\w.])(?:\d{1,3}(?:[,\u00a0\u202f ]\d{3})+|\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?"
    r"(?P<percent>[ \u00a0\u202f]?%)?(?![\w])"
)


@dataclass(frozen=True)
class HandTypedNumber:
    """A number in a markdown cell that none of the rules allows."""

    cell: int
    text: str
    context: str

    def __str__(self) -> str:
        return f"markdown cell {self.cell}: {self.text!r} in '...{self.context}...'"


def _value(text: str) -> float:
    return float(re.sub(r"[,\u00a0\u202f _%]", "", text))


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _blank_fences(markdown: str) -> str:
    """Blank verbatim fences entirely and the opening and closing lines of the others."""
    lines, out, closing = markdown.split("\n"), [], []
    for line in lines:
        opening = _FENCE.match(line)
        if closing and line.strip() == closing[-1][0]:
            closing.pop()
            out.append("")
            continue
        if closing and closing[-1][1]:
            out.append("")  # inside a verbatim fence
            continue
        if opening and (not closing or opening["info"]):
            info = opening["info"]
            verbatim = opening["fence"][0] != ":" and not info.startswith("{")
            verbatim = verbatim or bool(_VERBATIM.fullmatch(info))
            closing.append((opening["fence"], verbatim))
            # the title of an admonition is prose; the fence and directive name are not
            out.append("" if verbatim else line[opening.end("info") :])
            continue
        out.append(line)
    return "\n".join(out)


def prose(markdown: str) -> str:
    """The markdown with math, code, roles, links and references blanked out."""
    markdown = _blank_fences(markdown)
    for pattern in _NOT_PROSE:
        markdown = pattern.sub(_blank, markdown)
    return markdown


def code_literals(sources: list[str]) -> set[float]:
    """Absolute values of every numeric literal in the code cells' source."""
    values = set()
    for source in sources:
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            continue
        for token in tokens:
            if token.type == tokenize.NUMBER and not token.string.endswith(("j", "J")):
                values.add(abs(float(eval(token.string))))  # noqa: S307 - a numeric literal
    return values


def hand_typed_numbers(
    notebook: dict, exceptions: set[str] = frozenset()
) -> list[HandTypedNumber]:
    """Every number in the notebook's markdown cells that rules (a)-(d) do not allow."""
    cells = notebook["cells"]
    source = ["".join(cell["source"]) for cell in cells]
    literals = code_literals([s for s, c in zip(source, cells) if c["cell_type"] == "code"])
    found = []
    for index, (text, cell) in enumerate(zip(source, cells)):
        if cell["cell_type"] != "markdown":
            continue
        stripped = prose(text)
        for match in _NUMBER.finditer(stripped):
            value = _value(match.group(0))
            allowed = {value} | ({value / 100} if match.group("percent") else set())
            if match.group(0).strip() in exceptions or any(
                _close(v, literal) for v in allowed for literal in literals
            ):
                continue
            start, end = max(match.start() - 30, 0), match.end() + 30
            context = re.sub(r"\s+", " ", text[start:end]).strip()
            found.append(HandTypedNumber(index, match.group(0).strip(), context))
    return found


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1.0)


def _exceptions(page: str) -> set[str]:
    return {number for name, number, _ in EXCEPTIONS if name == page}


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", LECTURES, ids=[paths.page_name(p) for p in LECTURES])
def test_no_hand_typed_computed_number_in_the_prose(path):
    found = hand_typed_numbers(_load(path), _exceptions(paths.page_name(path)))
    assert not found, (
        "numbers in the prose that are neither glued (hepml.glue + {glue:text}), nor a literal"
        " of the code, nor a section reference:\n" + "\n".join(map(str, found))
    )


def test_every_exception_is_justified_and_used():
    pages = {paths.page_name(p): p for p in LECTURES}
    for page, number, reason in EXCEPTIONS:
        assert page in pages, f"exception for unknown page {page!r}"
        assert len(reason) > 20, f"exception {number!r} on {page} needs a reason"
        assert number in prose("\n".join(_markdown(pages[page]))), (
            f"exception {number!r} on {page} is no longer needed: remove it"
        )


def _markdown(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in _load(path)["cells"] if c["cell_type"] == "markdown"]


def _notebook(markdown: list[str], code: list[str]) -> dict:
    cells = [{"cell_type": "markdown", "source": text} for text in markdown]
    return {"cells": cells + [{"cell_type": "code", "source": text} for text in code]}


def test_flags_a_hand_typed_number_in_a_broken_copy_of_a_lecture(tmp_path):
    lecture = _load(LECTURES[0])
    broken = json.loads(json.dumps(lecture))
    broken["cells"].append(
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": ["The posterior median is 4.53, a little above the estimate."],
        }
    )
    copy = tmp_path / LECTURES[0].name
    copy.write_text(json.dumps(broken))
    new = set(map(str, hand_typed_numbers(_load(copy))))
    old = set(map(str, hand_typed_numbers(lecture)))
    (flagged,) = new - old
    assert "'4.53'" in flagged and f"cell {len(broken['cells']) - 1}" in flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("The width lands 2.2 standard errors away.", ["2.2"]),
        ("three of 4 parameters miss", ["4"]),
        ("a bias of -25 % at that size", ["25 %"]),
        ("We simulate 100 000 experiments.", ["100 000"]),
        ("We simulate 20,000 events in 7 runs.", ["20,000"]),
        ("We fit (1.10 +- 0.77) GeV.", ["1.10", "0.77"]),
        (":::{important} Key result\nThe bias is 25 % of it.\n:::", ["25 %"]),
        ("```{admonition} Try it\nIt drops to 0.3.\n```", ["0.3"]),
        ("The $\\chi^2$ is 39 for 56 degrees of freedom.", ["39", "56"]),
    ],
)
def test_flags_numbers_in_plain_prose(text, flagged):
    found = hand_typed_numbers(_notebook([text], ["runs = 7"]))
    assert [number.text for number in found] == flagged
    assert all(number.cell == 0 for number in found)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("A mass of $m = 125$ GeV and $$\\sigma = 2.2$$.", []),
        ("\\begin{align} x &= 3.5 \\end{align}", []),
        ("The mass is {glue:text}`mass:.2f` GeV.", []),
        ("Call `fit(x, steps=300)` first.", []),
        ("As in section 2.6 and chapters 3 and 4, see figure 2.", []),
        ("## 1.3 Bayes' theorem", []),
        ("See [exercise 01](../exercises/01-statistics.ipynb), {cite:p}`mitchell1997`.", []),
        ("```python\nx = 3.14\n```", []),
        ("```{glue:figure} fig_2\n:name: fig-2\n```", []),
        ("::::{tip} Try it\nSet `m = 3` and see.\n::::", []),
        ("An efficiency of 0.7, a Higgs mass of 125 GeV", ["eff, m = 0.7, 125.0"]),
        ("at 70 % efficiency over 100 000 events", ["eff, n = 0.7, 100_000"]),
        ("L1 and L2 penalties, log2 and Z0", []),
    ],
)
def test_allows_math_code_glue_references_links_and_shared_inputs(text, code):
    assert hand_typed_numbers(_notebook([text], code)) == []
