"""The impact bar charts, read back as XML: the SVG is well-formed, labelled for screen readers, draws one row
per figure with bars in proportion to the values on a round scale, marks a hidden figure in words, escapes
what it is given, meets the contrast and text-size limits, and says so when there is nothing to draw."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.template import Context, Engine
from hypothesis import given, settings
from hypothesis import strategies as st

import gathering.impact
from gathering.impact.charts import Bar, Chart, bar_chart, bar_chart_svg, scale_ticks, summary_sentence

SVG = "{http://www.w3.org/2000/svg}"

BARS = (
    Bar("Came", 120),
    Bar("Had a place, did not come", None),
    Bar("On the waiting list, never offered a place", 36),
    Bar("Cancelled, or an offer not taken up", 7),
)


def _svg(bars=BARS, *, chart_id="registrations", title="Registrations and attendance", summary="", unit=""):
    return bar_chart_svg(
        chart_id=chart_id, title=title, summary=summary or "A summary.", bars=bars, unit=unit
    )


def _parse(markup: str) -> ET.Element:
    # Our own output, parsed to prove it is well-formed XML: not untrusted data.
    return ET.fromstring(markup)  # noqa: S314


def _rows(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "bar-row"]


def _child(element: ET.Element, tag: str, css_class: str | None = None) -> ET.Element:
    found = [
        child
        for child in element
        if child.tag == f"{SVG}{tag}" and (css_class is None or css_class in child.get("class", "").split())
    ]
    assert len(found) == 1
    return found[0]


def _luminance(colour: str) -> float:
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast_with_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def test_bar_chart_svg_is_an_image_labelled_by_its_title_and_description():
    root = _parse(_svg(summary="Registrations: the largest is Came with 120."))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("focusable") == "false"
    ids = root.get("aria-labelledby").split()
    assert ids == ["registrations-title", "registrations-desc"]
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert by_id["registrations-title"].tag == f"{SVG}title"
    assert by_id["registrations-title"].text == "Registrations and attendance"
    assert by_id["registrations-desc"].tag == f"{SVG}desc"
    assert by_id["registrations-desc"].text == "Registrations: the largest is Came with 120."
    # The title and description are the first children, where assistive technology looks for them.
    assert [child.tag for child in root][:2] == [f"{SVG}title", f"{SVG}desc"]


def test_bar_chart_svg_is_640_wide_and_grows_a_row_per_bar():
    heights = []
    for count in (1, 2, 10):
        root = _parse(_svg(tuple(Bar(f"Figure {n}", n + 5) for n in range(count))))
        x, y, width, height = (float(value) for value in root.get("viewBox").split())
        assert (x, y, width) == (0, 0, 640)
        heights.append(height)
    assert heights[1] - heights[0] == pytest.approx(30)
    assert heights[2] - heights[0] == pytest.approx(9 * 30)


def test_bar_chart_svg_draws_one_row_per_bar_in_order_with_its_label_and_value():
    root = _parse(_svg(unit="%"))

    rows = _rows(root)
    assert len(rows) == 4
    assert [_child(row, "title").text for row in rows] == [
        "Came: 120%",
        "Had a place, did not come: hidden",
        "On the waiting list, never offered a place: 36%",
        "Cancelled, or an offer not taken up: 7%",
    ]
    assert [_child(row, "text", "bar-value").text for row in rows] == ["120%", "hidden", "36%", "7%"]
    tops = [float(_child(row, "rect").get("y")) for row in rows]
    assert tops == sorted(tops)  # top to bottom in the order given


def test_bar_chart_svg_prints_each_value_just_after_the_end_of_its_bar():
    root = _parse(_svg())

    for row in _rows(root):
        rect = _child(row, "rect")
        value = _child(row, "text", "bar-value")
        end = float(rect.get("x")) + float(rect.get("width"))
        assert float(value.get("x")) == pytest.approx(end + 6, abs=0.11)
        assert (
            float(rect.get("y")) < float(value.get("y")) <= float(rect.get("y")) + float(rect.get("height"))
        )


def test_bar_chart_svg_bar_lengths_are_in_proportion_to_the_values():
    bars = (Bar("a", 120), Bar("b", 60), Bar("c", 36), Bar("d", 7), Bar("e", 0))
    root = _parse(_svg(bars))

    widths = [float(_child(row, "rect", "bar").get("width")) for row in _rows(root)]
    assert widths[-1] == 0
    per_unit = widths[0] / 120
    for width, bar in zip(widths, bars, strict=True):
        assert width == pytest.approx(bar.value * per_unit, abs=0.06)
    assert widths[1] == pytest.approx(widths[0] / 2, abs=0.06)


def test_bar_chart_svg_scale_runs_from_zero_to_a_round_number_at_or_above_the_largest_value():
    root = _parse(_svg())

    ticks = [element for element in root.iter(f"{SVG}text") if element.get("class") == "tick"]
    values = [int(tick.text.replace(",", "")) for tick in ticks]
    assert values == [0, 20, 40, 60, 80, 100, 120]
    # The tick for 120 stands where the bar of 120 ends.
    came = _child(_rows(root)[0], "rect")
    assert float(ticks[-1].get("x")) == pytest.approx(
        float(came.get("x")) + float(came.get("width")), abs=0.11
    )
    assert float(ticks[0].get("x")) == float(came.get("x"))


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (5, [0, 1, 2, 3, 4, 5]),
        (7, [0, 2, 4, 6, 8]),
        (120, [0, 20, 40, 60, 80, 100, 120]),
        (121, [0, 50, 100, 150]),
        (999, [0, 200, 400, 600, 800, 1000]),
        (12_345, [0, 5000, 10_000, 15_000]),
    ],
)
def test_scale_ticks_are_round_steps_up_to_the_largest_value(largest, ticks):
    assert scale_ticks(largest) == ticks


@given(st.integers(min_value=0, max_value=10**9))
def test_scale_ticks_always_reach_the_largest_value_in_a_few_steps_of_one_two_or_five(largest):
    ticks = scale_ticks(largest)

    step = ticks[1]
    assert ticks == [step * n for n in range(len(ticks))]
    assert 2 <= len(ticks) <= 7
    assert ticks[-1] >= largest
    assert ticks[-2] < max(largest, 1)  # no step beyond the one that reaches it
    assert re.fullmatch(r"[125]0*", str(step))


def test_bar_chart_svg_hidden_figure_is_an_outlined_stub_that_says_hidden():
    root = _parse(_svg())

    hidden = _rows(root)[1]
    stub = _child(hidden, "rect", "bar-hidden")
    assert stub.get("fill") == "#ffffff"
    assert stub.get("stroke") == "#1d4d6b"
    shown = _child(_rows(root)[3], "rect", "bar")  # 7, the shortest drawn bar
    assert float(stub.get("width")) < float(shown.get("width"))
    assert _child(hidden, "text", "bar-value").text == "hidden"
    assert _child(hidden, "text", "bar-label").text == "Had a place, did not come"


def test_bar_chart_svg_cuts_long_labels_and_keeps_the_whole_label_in_the_row_title():
    label = "Joined through a partner organisation's referral"
    root = _parse(_svg((Bar(label, 12), Bar("Exactly thirty characters long", 9))))

    long_row, exact_row = _rows(root)
    printed = _child(long_row, "text", "bar-label").text
    assert printed == "Joined through a partner orga…"
    assert len(printed) == 30
    assert _child(long_row, "title").text == f"{label}: 12"
    assert _child(exact_row, "text", "bar-label").text == "Exactly thirty characters long"


def test_bar_chart_svg_escapes_markup_and_ampersands_in_everything_it_is_given():
    label = '<script>alert("x")</script> & Friends'
    svg = bar_chart_svg(
        chart_id="c",
        title="Tom & Jerry <b>",
        summary="Less < more & so on",
        bars=(Bar(label, 10),),
        unit=" <i>",
    )

    assert "<script" not in svg
    assert "<b>" not in svg
    assert "<i>" not in svg
    assert "&amp; Friends" in svg
    root = _parse(svg)
    row = _rows(root)[0]
    assert _child(row, "title").text == f"{label}: 10 <i>"
    assert _child(row, "text", "bar-label").text == '<script>alert("x")</script> &…'
    assert root.find(f"{SVG}title").text == "Tom & Jerry <b>"
    assert root.find(f"{SVG}desc").text == "Less < more & so on"
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))


def test_bar_chart_svg_drops_characters_xml_cannot_carry():
    svg = _svg((Bar("Tab\there\x00 and\x1b bell\x07", 8),), title="Line\nbreak")

    root = _parse(svg)
    assert _child(_rows(root)[0], "text", "bar-label").text == "Tab here and bell"
    assert root.find(f"{SVG}title").text == "Line break"


def test_bar_chart_svg_meets_the_contrast_and_text_size_limits():
    root = _parse(_svg())

    texts = list(root.iter(f"{SVG}text"))
    assert texts
    for text in texts:
        assert float(text.get("font-size")) >= 12
        assert _contrast_with_white(text.get("fill")) >= 4.5
    for rect in root.iter(f"{SVG}rect"):
        colour = rect.get("stroke") if rect.get("fill") == "#ffffff" else rect.get("fill")
        assert _contrast_with_white(colour) >= 3


@pytest.mark.parametrize(
    ("bars", "said"),
    [
        ((), "Nothing to draw: there are no figures."),
        ((Bar("Came", None), Bar("Did not", None)), "Nothing to draw: every figure is hidden"),
    ],
)
def test_bar_chart_svg_with_nothing_to_draw_says_so_and_stays_valid(bars, said):
    root = _parse(_svg(bars, summary="Registrations and attendance."))

    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 640 ")
    desc = root.find(f"{SVG}desc").text
    assert desc.startswith(said)
    assert desc.endswith("Registrations and attendance.")
    assert _rows(root) == []
    assert not list(root.iter(f"{SVG}rect"))
    visible = [text.text for text in root.iter(f"{SVG}text")]
    assert len(visible) == 1 and visible[0].startswith(said)


def test_bar_chart_svg_with_nothing_to_draw_keeps_a_summary_that_already_says_so():
    summary = summary_sentence("Feedback", ())
    root = _parse(_svg((), summary=summary))

    assert root.find(f"{SVG}desc").text == "Feedback: nothing to draw, as there are no figures."


def test_bar_chart_svg_refuses_a_negative_count_and_an_unusable_id():
    with pytest.raises(ValueError, match="never negative"):
        _svg((Bar("Came", -1),))
    with pytest.raises(ValueError, match="chart id"):
        _svg(chart_id='x" onload="alert(1)')
    with pytest.raises(ValueError, match="chart id"):
        _svg(chart_id="1st")


@pytest.mark.parametrize(
    ("bars", "sentence"),
    [
        (
            (Bar("Came", 120), Bar("Did not come", None), Bar("Waiting", 36), Bar("Cancelled", None)),
            "Registrations and attendance: the largest is Came with 120 and the smallest is Waiting with 36; "
            "2 figures are hidden to protect small numbers.",
        ),
        (
            (Bar("Came", 1200), Bar("Waiting", 36), Bar("Cancelled", 7)),
            "Registrations and attendance: the largest is Came with 1,200 and the smallest is Cancelled "
            "with 7.",
        ),
        (
            (Bar("Came", 12), Bar("Waiting", 12), Bar("Cancelled", 7), Bar("Left", None)),
            "Registrations and attendance: the largest are Came and Waiting, with 12 each and the smallest "
            "is Cancelled with 7; 1 figure is hidden to protect a small number.",
        ),
        (
            (Bar("Came", 9), Bar("Waiting", 9)),
            "Registrations and attendance: all 2 figures shown are 9.",
        ),
        (
            (Bar("Came", 9), Bar("Waiting", None)),
            "Registrations and attendance: the only figure shown is Came with 9; "
            "1 figure is hidden to protect a small number.",
        ),
        (
            (Bar("Came", None),),
            "Registrations and attendance: nothing to draw, as the only figure is hidden to protect a small "
            "number.",
        ),
        (
            (Bar("Came", None), Bar("Waiting", None), Bar("Left", None)),
            "Registrations and attendance: nothing to draw, as all 3 figures are hidden to protect small "
            "numbers.",
        ),
        ((), "Registrations and attendance: nothing to draw, as there are no figures."),
    ],
)
def test_summary_sentence_names_the_largest_and_smallest_and_counts_the_hidden(bars, sentence):
    assert summary_sentence("Registrations and attendance", bars) == sentence


def test_summary_sentence_writes_the_unit_after_each_value():
    sentence = summary_sentence("Share who came back", (Bar("Gatherings", 45), Bar("Circles", 60)), unit="%")

    assert (
        sentence
        == "Share who came back: the largest is Circles with 60% and the smallest is Gatherings with 45%."
    )


def test_bar_chart_uses_its_summary_as_the_description():
    chart = bar_chart(chart_id="returning", title="Came back", bars=(Bar("Yes", 40), Bar("No", None)))

    assert chart.summary == (
        "Came back: the only figure shown is Yes with 40; 1 figure is hidden to protect a small number."
    )
    root = _parse(chart.svg)
    assert root.find(f"{SVG}desc").text == chart.summary
    assert root.get("aria-labelledby") == "returning-title returning-desc"


def test_chart_template_puts_the_svg_in_a_figure_with_the_summary_as_caption():
    # The app is not registered yet, so its template folder is given to a standalone engine.
    templates = Path(gathering.impact.__file__).parent / "templates"
    engine = Engine(dirs=[str(templates)])
    chart = Chart(svg=_svg((Bar("A & B", 10),)), summary="Chart <b>summary</b> & more")

    html = engine.get_template("impact/_chart.html").render(Context({"chart": chart}))

    figure = _parse(html)
    assert figure.tag == "figure"
    assert figure.get("class") == "impact-chart"
    svg, caption = list(figure)
    assert svg.tag == f"{SVG}svg"  # drawn as markup, not escaped
    assert caption.tag == "figcaption"
    assert caption.text == "Chart <b>summary</b> & more"  # the caption is escaped
    assert "&lt;b&gt;summary" in html


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(max_size=80),
    summary=st.text(max_size=200),
    unit=st.text(max_size=5),
    bars=st.lists(
        st.builds(
            Bar,
            label=st.text(max_size=60),
            value=st.none() | st.integers(min_value=0, max_value=10**12),
        ),
        max_size=12,
    ),
)
def test_bar_chart_svg_stays_well_formed_whatever_the_text(title, summary, unit, bars):
    chart = bar_chart(chart_id="any", title=title, bars=bars, unit=unit)
    svg = bar_chart_svg(chart_id="any", title=title, summary=summary, bars=bars, unit=unit)

    for markup in (svg, chart.svg):
        root = _parse(markup)
        assert root.get("role") == "img"
        assert len(_rows(root)) == (len(bars) if any(bar.value is not None for bar in bars) else 0)
        for row, bar in zip(_rows(root), bars, strict=False):
            value = _child(row, "text", "bar-value").text
            assert (value == "hidden") == (bar.value is None)
            assert len(_child(row, "text", "bar-label").text or "") <= 30
    assert isinstance(chart.summary, str) and chart.summary.endswith(".")
