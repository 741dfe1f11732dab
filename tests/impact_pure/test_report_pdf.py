"""The annual report PDF, read back by pdfminer.six (an independent parser): A4 pages with every word and
figure in their text, typographic characters intact, tables that repeat their header on each page and
right-align their numbers, "Page N of M" on every page, and the metadata and outline set."""

import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LAParams, LTChar, LTTextLine
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from gathering.impact.report_pdf import ReportSection, ReportTable, annual_report_pdf, is_numeric

A4 = (595.28, 841.89)
LEFT_MARGIN = 56.69  # 2 cm

FOOTNOTE = "Figures under 5 are hidden so that nobody can be picked out."
PEOPLE = ReportTable(
    title="Registrations and attendance",
    header=("Activity", "People", "Share"),
    rows=(
        ("Gatherings", "1,204", "61%"),
        ("Training cohorts", "312", "16%"),
        ("Listening circles", "fewer than 5", "hidden"),
    ),
    note="Percentages are of all registrations.",
)
SECTIONS = (
    ReportSection(
        heading="The year in brief",
        paragraphs=(
            "We held 48 Gatherings in 2026 and spent £18,250 on bursaries.\n"
            "Members called it “the kindest room I’ve been in” — twice.",
            "Circles & trainings <b>grew</b>.",
        ),
        tables=(PEOPLE,),
    ),
    ReportSection(heading="Money", paragraphs=("Every bursary was paid within 14 days.",)),
)


def _report(sections=SECTIONS, **overrides) -> bytes:
    arguments = {
        "title": "Impact report 2026",
        "organisation": "Gathering Network",
        "period_label": "1 January to 31 December 2026",
        "sections": sections,
        "footnote": FOOTNOTE,
        "generated_on": "3 February 2027",
    } | overrides
    return annual_report_pdf(**arguments)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _page_count(pdf: bytes) -> int:
    return sum(1 for _ in PDFPage.get_pages(io.BytesIO(pdf)))


def _page_texts(pdf: bytes) -> list[str]:
    return [_words(extract_text(io.BytesIO(pdf), page_numbers=[n])) for n in range(_page_count(pdf))]


def _lines(pdf: bytes) -> list[list[LTTextLine]]:
    """Each page's text lines, with table cells kept apart (a narrower gap between characters than the
    default joins a line)."""
    pages = []
    for page in extract_pages(io.BytesIO(pdf), laparams=LAParams(char_margin=1.0)):
        pages.append(
            [line for box in page if hasattr(box, "__iter__") for line in box if isinstance(line, LTTextLine)]
        )
    return pages


def _text_of(line: LTTextLine) -> str:
    return _words(line.get_text())


def _fonts(line: LTTextLine) -> set[str]:
    return {char.fontname.split("+")[-1] for char in line if isinstance(char, LTChar)}


def test_annual_report_pdf_states_the_title_block_sections_paragraphs_and_tables():
    pdf = _report()

    assert pdf.startswith(b"%PDF-")
    text = _words(extract_text(io.BytesIO(pdf)))
    for fact in (
        "Impact report 2026",
        "Gathering Network",
        "1 January to 31 December 2026",
        "Produced on 3 February 2027",
        "The year in brief",
        "We held 48 Gatherings in 2026 and spent £18,250 on bursaries.",
        "Members called it “the kindest room I’ve been in” — twice.",
        "Circles & trainings <b>grew</b>.",
        "Registrations and attendance",
        "Percentages are of all registrations.",
        "Money",
        "Every bursary was paid within 14 days.",
        FOOTNOTE,
        "Page 1 of 1",
    ):
        assert fact in text
    # In the order given.
    assert text.index("Impact report 2026") < text.index("The year in brief") < text.index("Money")
    cells = {_text_of(line) for line in _lines(pdf)[0]}
    assert {"Activity", "People", "Share", "Gatherings", "1,204", "61%", "Listening circles"} <= cells
    assert {"fewer than 5", "hidden", "Training cohorts", "312", "16%"} <= cells


def test_annual_report_pdf_newlines_start_new_paragraphs():
    pdf = _report()

    lines = [_text_of(line) for line in _lines(pdf)[0]]
    first = lines.index("We held 48 Gatherings in 2026 and spent £18,250 on bursaries.")
    assert lines[first + 1] == "Members called it “the kindest room I’ve been in” — twice."


def test_annual_report_pdf_is_a4_portrait_with_two_centimetre_margins():
    pdf = _report()

    for page in PDFPage.get_pages(io.BytesIO(pdf)):
        assert [round(value, 2) for value in page.mediabox] == [0, 0, *A4]
    for line in _lines(pdf)[0]:
        assert line.x0 >= LEFT_MARGIN - 0.5 and line.x1 <= A4[0] - LEFT_MARGIN + 0.5
        assert line.y0 >= LEFT_MARGIN - 0.5 and line.y1 <= A4[1] - LEFT_MARGIN + 0.5
    title = next(line for line in _lines(pdf)[0] if _text_of(line) == "Impact report 2026")
    assert title.x0 == pytest.approx(LEFT_MARGIN, abs=0.5)


def test_annual_report_pdf_metadata_names_the_report_and_shows_its_title():
    pdf = _report()

    document = PDFDocument(PDFParser(io.BytesIO(pdf)))
    info = {
        key: decode_text(resolve1(value))
        for key, value in document.info[0].items()
        if isinstance(resolve1(value), bytes)
    }
    assert info["Title"] == "Impact report 2026"
    assert info["Author"] == "Gathering Network"
    assert info["Subject"] == "Impact report 2026: Gathering Network, 1 January to 31 December 2026"
    assert resolve1(document.catalog["Lang"]) == b"en-gb"
    assert resolve1(resolve1(document.catalog["ViewerPreferences"])["DisplayDocTitle"]) is True
    outline = [(level, title) for level, title, *_rest in document.get_outlines()]
    assert outline == [(1, "The year in brief"), (1, "Money")]


def test_annual_report_pdf_right_aligns_numbers_and_left_aligns_words():
    pdf = _report()

    lines = {_text_of(line): line for line in _lines(pdf)[0]}
    people = [lines[text] for text in ("People", "1,204", "312", "fewer than 5")]
    # The number column: the header, the figures and the hidden figure end at one right edge.
    assert len({round(line.x1, 1) for line in people}) == 1
    assert lines["1,204"].x0 < lines["312"].x0
    share = [lines[text] for text in ("Share", "61%", "16%", "hidden")]
    assert len({round(line.x1, 1) for line in share}) == 1
    # The words column starts at one left edge, just inside the margin.
    words = [lines[text] for text in ("Activity", "Gatherings", "Training cohorts", "Listening circles")]
    assert len({round(line.x0, 1) for line in words}) == 1
    assert words[0].x0 == pytest.approx(LEFT_MARGIN + 4, abs=0.5)
    # A hidden figure is set in italics, not told apart by colour alone.
    assert _fonts(lines["fewer than 5"]) == {"BitstreamVeraSans-Oblique"}
    assert _fonts(lines["hidden"]) == {"BitstreamVeraSans-Oblique"}
    assert _fonts(lines["1,204"]) == {"BitstreamVeraSans-Roman"}
    assert _fonts(lines["People"]) == {"BitstreamVeraSans-Bold"}


def test_annual_report_pdf_long_report_runs_on_with_page_numbers_and_the_table_header_on_each_page():
    long_paragraph = " ".join(
        f"Sentence {n}: people met, listened and went home a little lighter, at £{n},000 a year."
        for n in range(150)
    )
    rows = tuple(
        (f"Gathering in town number {n:02d}", f"{n * 7 + 5:,}", "fewer than 5" if n % 6 == 0 else f"{n}%")
        for n in range(40)
    )
    big = ReportTable(title="Every Gathering", header=("Gathering", "People", "Share"), rows=rows)
    sections = (
        ReportSection(heading="What we did", paragraphs=(long_paragraph,)),
        ReportSection(heading="Each Gathering", tables=(big,)),
        ReportSection(heading="Closing", paragraphs=("Thank you.",)),
    )
    pdf = _report(sections)

    pages = _page_texts(pdf)
    total = len(pages)
    assert total >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert FOOTNOTE in text
    whole = " ".join(pages)
    assert [int(n) for n in re.findall(r"Sentence (\d+):", whole)] == list(range(150))
    assert whole.count("Thank you.") == 1

    table_pages = []
    for page_lines in _lines(pdf):
        texts = [_text_of(line) for line in page_lines]
        row_lines = [line for line in page_lines if _text_of(line).startswith("Gathering in town number")]
        if not row_lines:
            continue
        table_pages.append(texts)
        header = [line for line in page_lines if _text_of(line) == "Gathering"]
        assert len(header) == 1  # the header row, repeated at the top of the table on this page
        assert all(header[0].y0 > line.y1 for line in row_lines)
        assert {"People", "Share"} <= set(texts)
    assert len(table_pages) >= 2
    found = [
        int(match)
        for texts in table_pages
        for text in texts
        for match in re.findall(r"^Gathering in town number (\d\d)$", text)
    ]
    assert found == list(range(40))  # every row once, in order, none lost at a page break


def test_annual_report_pdf_with_no_sections_is_one_page_with_the_title_block():
    pdf = _report(())

    pages = _page_texts(pdf)
    assert len(pages) == 1
    assert pages[0].startswith(
        "Impact report 2026 Gathering Network 1 January to 31 December 2026 Produced on 3 February 2027"
    )
    assert "This report has no sections." in pages[0]
    assert "Page 1 of 1" in pages[0]


def test_annual_report_pdf_prints_what_it_is_given_literally():
    table = ReportTable(
        title="<i>Odd</i> & ends",
        header=("What <b>", "Count"),
        rows=(("Tea & <biscuits>", "12"), ("A row with fewer cells",)),
    )
    pdf = _report(
        (ReportSection(heading="Q&A <br/>", paragraphs=("1 < 2 & 3 > 2 <para>",), tables=(table,)),),
        title="Report <b>2026</b> & more",
    )

    text = _words(extract_text(io.BytesIO(pdf)))
    for literal in (
        "Report <b>2026</b> & more",
        "Q&A <br/>",
        "1 < 2 & 3 > 2 <para>",
        "<i>Odd</i> & ends",
        "What <b>",
        "Tea & <biscuits>",
        "A row with fewer cells",
    ):
        assert literal in text


def test_annual_report_pdf_table_without_rows_says_so():
    empty = ReportTable(title="Bursaries", header=("Kind", "Count"), rows=())
    pdf = _report((ReportSection(heading="Money", tables=(empty,)),))

    text = _words(extract_text(io.BytesIO(pdf)))
    assert "Bursaries No figures in this table." in text


def test_annual_report_pdf_wraps_long_cells_inside_the_page():
    long_name = "The very long name of a Gathering held jointly by three partner organisations in two towns"
    table = ReportTable(
        title="Long", header=("Gathering", "People", "Share"), rows=((long_name, "35", "7%"),)
    )
    pdf = _report((ReportSection(heading="Long", tables=(table,)),))

    lines = _lines(pdf)[0]
    for line in lines:
        assert line.x0 >= LEFT_MARGIN - 0.5 and line.x1 <= A4[0] - LEFT_MARGIN + 0.5
    text = _words(extract_text(io.BytesIO(pdf)))
    assert long_name in text


@pytest.mark.parametrize(
    ("cell", "numeric"),
    [
        ("12", True),
        ("1,204", True),
        ("£18,250.50", True),
        ("61%", True),
        ("12.5", True),
        (".5", True),
        ("−3", True),
        (" 7 ", True),
        ("fewer than 5", False),
        ("hidden", False),
        ("Gatherings", False),
        ("2026–27", False),
        ("", False),
        ("£", False),
        ("%", False),
        (",", False),
    ],
)
def test_is_numeric_recognises_formatted_figures(cell, numeric):
    assert is_numeric(cell) is numeric


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    heading=st.text(max_size=40),
    paragraph=st.text(max_size=300),
    cells=st.lists(st.lists(st.text(max_size=20), min_size=1, max_size=4).map(tuple), max_size=5).map(tuple),
)
def test_annual_report_pdf_never_fails_whatever_the_text(heading, paragraph, cells):
    table = ReportTable(title="Table", header=("A", "B"), rows=cells)
    pdf = _report((ReportSection(heading=heading, paragraphs=(paragraph,), tables=(table,)),))

    assert pdf.startswith(b"%PDF-")
    assert "Page 1 of" in _words(extract_text(io.BytesIO(pdf), page_numbers=[0]))
