"""Horizontal bar charts of the impact figures as server-rendered, accessible SVG (no JavaScript).

Each chart is an image with a title and a description (`role="img"`, `aria-labelledby`), so a screen reader
announces it as one thing and reads its summary; the same figures also appear in a table on the page. A
hidden figure (fewer than five, or hidden to protect another small number) is drawn as an outlined stub
with the word "hidden" beside it, so the difference never rests on colour alone. Colours meet WCAG 2.2:
the bars 3:1 against white (1.4.11), the text 4.5:1 (1.4.3); no text is smaller than 12 px.

Everything the caller passes in is escaped, and characters XML cannot carry (control characters) become
spaces, so the result is always a well-formed SVG document and can be marked safe in a template.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WIDTH = 640
LABEL_END = 234  # the labels are right-aligned to this x (30 characters of 13 px text fit to its left)
PLOT_LEFT = 242  # where every bar starts (the value 0)
MIN_PLOT = 200  # the bars' room never shrinks below this, however long the values printed after them
CHARACTER = 7  # a generous width of one character of 12 px text, to leave room for the printed values
TOP = 12
ROW = 30  # height of one bar's row
BAR_HEIGHT = 18
STUB = 14  # length of the outlined stub drawn for a hidden figure
SCALE_ROOM = 28  # below the last row: the scale's numbers
EMPTY_HEIGHT = 48
LABEL_CHARACTERS = 30  # longer labels are cut with "…" (the row's <title> carries the whole label)
MAX_STEPS = 6  # the scale has at most this many intervals

BAR_COLOUR = "#1d4d6b"  # 9.1:1 against white
TEXT_COLOUR = "#1b1b1b"  # 17:1 against white
AXIS_COLOUR = "#505a5f"  # 7:1 against white
GRID_COLOUR = "#b1b4b6"  # decorative: every value is printed, the grid only guides the eye
FONT_SIZE = 13
SMALL_FONT_SIZE = 12

_CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: not shown (fewer than 5, or hidden to protect a small number)


@dataclass(frozen=True)
class Chart:
    """What the `impact/_chart.html` template draws: the SVG and the sentence that sums it up."""

    svg: str
    summary: str


def bar_chart(*, chart_id: str, title: str, bars: Sequence[Bar], unit: str = "") -> Chart:
    """The chart of `bars` with its summary sentence as the description, ready for `impact/_chart.html`."""
    summary = summary_sentence(title, bars, unit)
    return Chart(
        svg=bar_chart_svg(chart_id=chart_id, title=title, summary=summary, bars=bars, unit=unit),
        summary=summary,
    )


def bar_chart_svg(*, chart_id: str, title: str, summary: str, bars: Sequence[Bar], unit: str = "") -> str:
    """A complete `<svg>` element: one horizontal bar per figure, in the order given.

    `chart_id` must be unique on the page: the title and description take the ids `{chart_id}-title` and
    `{chart_id}-desc`. `unit` is written right after each value as it is (`"%"`, `" hours"`).
    """
    if not _CHART_ID.fullmatch(chart_id):
        raise ValueError(
            f"A chart id starts with a letter and holds letters, digits, - and _ only: {chart_id!r}"
        )
    for bar in bars:
        if bar.value is not None and bar.value < 0:
            raise ValueError(f"A bar's value is a count, never negative: {bar.label!r} has {bar.value}")
    shown = [bar.value for bar in bars if bar.value is not None]
    if not shown:
        return _empty_svg(chart_id, title, summary, bars)

    value_texts = [_("hidden") if bar.value is None else _figure(bar.value, unit) for bar in bars]
    # The largest tick stands where the longest printed value still fits to the right of its bar.
    plot_right = max(PLOT_LEFT + MIN_PLOT, WIDTH - 12 - CHARACTER * max(len(text) for text in value_texts))
    ticks = scale_ticks(max(shown))
    per_unit = (plot_right - PLOT_LEFT) / ticks[-1]
    axis_y = TOP + len(bars) * ROW
    height = axis_y + SCALE_ROOM
    parts = [_open_svg(chart_id, height), _title_and_desc(chart_id, title, summary)]

    parts.append('<g class="scale">')
    for tick in ticks:
        x = _num(PLOT_LEFT + tick * per_unit)
        parts.append(
            f'<line x1="{x}" x2="{x}" y1="{TOP}" y2="{axis_y}" stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text class="tick" x="{x}" y="{axis_y + 18}" font-size="{SMALL_FONT_SIZE}" '
            f'text-anchor="middle" fill="{TEXT_COLOUR}">{_escape(_figure(tick))}</text>'
        )
    parts.append(
        f'<line x1="{PLOT_LEFT}" x2="{PLOT_LEFT}" y1="{TOP}" y2="{axis_y}" stroke="{AXIS_COLOUR}" '
        'stroke-width="1.5"/></g>'
    )

    for index, (bar, value_text) in enumerate(zip(bars, value_texts, strict=True)):
        bar_y = TOP + index * ROW + (ROW - BAR_HEIGHT) // 2
        text_y = bar_y + 13
        label = _clean(bar.label)
        parts.append(
            f'<g class="bar-row"><title>{_escape(f"{label}: {value_text}")}</title>'
            f'<text class="bar-label" x="{LABEL_END}" y="{text_y}" font-size="{FONT_SIZE}" '
            f'text-anchor="end" fill="{TEXT_COLOUR}">{_escape(_shorten(label))}</text>'
        )
        if bar.value is None:
            parts.append(
                f'<rect class="bar bar-hidden" x="{PLOT_LEFT}" y="{bar_y}" width="{STUB}" '
                f'height="{BAR_HEIGHT}" fill="#ffffff" stroke="{BAR_COLOUR}" stroke-width="1.5" '
                'stroke-dasharray="3 2"/>'
            )
            value_x = PLOT_LEFT + STUB + 6
        else:
            length = bar.value * per_unit
            parts.append(
                f'<rect class="bar" x="{PLOT_LEFT}" y="{bar_y}" width="{_num(length)}" '
                f'height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>'
            )
            value_x = PLOT_LEFT + length + 6
        parts.append(
            f'<text class="bar-value" x="{_num(value_x)}" y="{text_y}" font-size="{SMALL_FONT_SIZE}" '
            f'fill="{TEXT_COLOUR}">{_escape(value_text)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def summary_sentence(title: str, bars: Sequence[Bar], unit: str = "") -> str:
    """One plain sentence that says what the chart shows: the largest and smallest figures, and how many
    are hidden. It is the chart's description for screen readers and its caption on the page."""
    title = _clean(title)
    shown = [bar for bar in bars if bar.value is not None]
    hidden = len(bars) - len(shown)
    if not bars:
        return _("%(title)s: nothing to draw, as there are no figures.") % {"title": title}
    if not shown:
        return ngettext(
            "%(title)s: nothing to draw, as the only figure is hidden to protect a small number.",
            "%(title)s: nothing to draw, as all %(count)s figures are hidden to protect small numbers.",
            hidden,
        ) % {"title": title, "count": hidden}

    values = [bar.value for bar in shown]
    largest, smallest = max(values), min(values)
    if len(shown) == 1:
        main = _("the only figure shown is %(label)s with %(value)s") % {
            "label": _clean(shown[0].label),
            "value": _figure(largest, unit),
        }
    elif largest == smallest:
        main = _("all %(count)s figures shown are %(value)s") % {
            "count": len(shown),
            "value": _figure(largest, unit),
        }
    else:
        main = _extreme(shown, largest, unit, largest=True)
        main = _("%(largest)s and %(smallest)s") % {
            "largest": main,
            "smallest": _extreme(shown, smallest, unit, largest=False),
        }
    if hidden:
        main += ngettext(
            "; %(count)s figure is hidden to protect a small number",
            "; %(count)s figures are hidden to protect small numbers",
            hidden,
        ) % {"count": hidden}
    return f"{title}: {main}."


def scale_ticks(largest: int) -> list[int]:
    """The scale's round numbers: 0 and equal steps of 1, 2 or 5 times a power of ten, at most
    `MAX_STEPS` of them, the last at or above `largest`."""
    largest = max(largest, 1)
    power = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * power
            steps = math.ceil(largest / step)
            if steps <= MAX_STEPS:
                return [step * n for n in range(steps + 1)]
        power *= 10


def _extreme(shown: Sequence[Bar], value: int, unit: str, *, largest: bool) -> str:
    labels = [_clean(bar.label) for bar in shown if bar.value == value]
    figure = _figure(value, unit)
    if len(labels) == 1:
        if largest:
            return _("the largest is %(label)s with %(value)s") % {"label": labels[0], "value": figure}
        return _("the smallest is %(label)s with %(value)s") % {"label": labels[0], "value": figure}
    names = _join(labels)
    if largest:
        return _("the largest are %(labels)s, with %(value)s each") % {"labels": names, "value": figure}
    return _("the smallest are %(labels)s, with %(value)s each") % {"labels": names, "value": figure}


def _join(labels: Sequence[str]) -> str:
    return _("%(first)s and %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def _empty_svg(chart_id: str, title: str, summary: str, bars: Sequence[Bar]) -> str:
    if bars:
        nothing = _("Nothing to draw: every figure is hidden to protect small numbers.")
    else:
        nothing = _("Nothing to draw: there are no figures.")
    description = _clean(summary)
    # The description must say there is nothing to draw, whatever summary the caller wrote.
    if "nothing to draw" not in description.lower():
        description = f"{nothing} {description}".strip()
    return (
        f"{_open_svg(chart_id, EMPTY_HEIGHT)}{_title_and_desc(chart_id, title, description, clean=False)}"
        f'<text class="nothing" x="8" y="28" font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">'
        f"{_escape(nothing)}</text></svg>"
    )


def _open_svg(chart_id: str, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="impact-chart-svg" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" width="100%" viewBox="0 0 {WIDTH} {height}" '
        f'focusable="false">'
    )


def _title_and_desc(chart_id: str, title: str, summary: str, *, clean: bool = True) -> str:
    description = _clean(summary) if clean else summary
    return (
        f'<title id="{chart_id}-title">{_escape(_clean(title))}</title>'
        f'<desc id="{chart_id}-desc">{_escape(description)}</desc>'
    )


def _figure(value: int, unit: str = "") -> str:
    return f"{value:,}{_clean(unit, strip=False)}"


def _shorten(label: str) -> str:
    if len(label) <= LABEL_CHARACTERS:
        return label
    return label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def _clean(text: str, *, strip: bool = True) -> str:
    """`text` on one line, without the characters XML 1.0 cannot carry (control characters, surrogates,
    U+FFFE and U+FFFF), which a pasted label may hold."""
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff" else ch for ch in text
    )
    kept = re.sub(r"\s+", " ", kept)
    return kept.strip() if strip else kept


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
