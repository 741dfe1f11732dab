"""The certificate PDF, read back by pdfminer.six (an independent parser): every fact is in its text, long
outcome lists flow onto more pages with the verification footer on each, long names wrap inside the page,
and the metadata names the certificate."""

import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTTextLine
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from gathering.learning.certificate_pdf import CertificateFacts, certificate_pdf, characters_without_glyphs

A4_LANDSCAPE = (841.89, 595.28)

FACTS = CertificateFacts(
    person_name="Zoë Ashworth-Okafor",
    course_title="Listening with compassion: a foundation course",
    first_date=date(2026, 3, 3),
    last_date=date(2026, 3, 24),
    cpd_hours=Decimal("12.50"),
    learning_outcomes=(
        "Hold a listening circle with care for everyone in it",
        "Recognise when someone needs more support than a circle gives",
        "Look after yourself after a difficult conversation",
    ),
    verification_code="7KQ4-M2XD-9PLA",
    verification_url="https://gathering.example.org/certificates/verify/7KQ4-M2XD-9PLA",
    issuer_name="Gathering Network",
    issued_on=date(2026, 3, 25),
)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _page_texts(pdf: bytes) -> list[str]:
    return [_words(extract_text(io.BytesIO(pdf), page_numbers=[n])) for n in range(_page_count(pdf))]


def _page_count(pdf: bytes) -> int:
    return sum(1 for _ in PDFPage.get_pages(io.BytesIO(pdf)))


def _document(pdf: bytes) -> PDFDocument:
    return PDFDocument(PDFParser(io.BytesIO(pdf)))


def test_certificate_pdf_states_every_fact():
    pdf = certificate_pdf(FACTS)

    assert pdf.startswith(b"%PDF-")
    text = _words(extract_text(io.BytesIO(pdf)))
    for fact in (
        "Gathering Network",
        "Certificate of attendance",
        "Zoë Ashworth-Okafor",
        "Listening with compassion: a foundation course",
        "from 3 March 2026 to 24 March 2026",
        "Continuing professional development: 12.5 hours",
        "Learning outcomes",
        "Hold a listening circle with care for everyone in it",
        "Recognise when someone needs more support than a circle gives",
        "Look after yourself after a difficult conversation",
        "Check this certificate at https://gathering.example.org/certificates/verify/7KQ4-M2XD-9PLA "
        "with the code 7KQ4-M2XD-9PLA.",
        "Issued on 25 March 2026 by Gathering Network.",
    ):
        assert fact in text


def test_certificate_pdf_is_one_a4_landscape_page_with_a_link_to_the_verification_page():
    pdf = certificate_pdf(FACTS)

    pages = list(PDFPage.get_pages(io.BytesIO(pdf)))
    assert len(pages) == 1
    assert [round(value, 2) for value in pages[0].mediabox] == [0, 0, *A4_LANDSCAPE]
    links = [resolve1(resolve1(annotation)["A"])["URI"] for annotation in resolve1(pages[0].annots)]
    assert links == [FACTS.verification_url.encode("ascii")]


def test_certificate_pdf_metadata_names_the_certificate_and_shows_its_title():
    pdf = certificate_pdf(FACTS)

    document = _document(pdf)
    info = {
        key: decode_text(resolve1(value))
        for key, value in document.info[0].items()
        if isinstance(resolve1(value), bytes)
    }
    assert info["Title"] == (
        "Certificate of attendance: Zoë Ashworth-Okafor, Listening with compassion: a foundation course"
    )
    assert info["Author"] == "Gathering Network"
    assert info["Subject"] == (
        "Zoë Ashworth-Okafor attended Listening with compassion: a foundation course "
        "from 3 March 2026 to 24 March 2026 (12.5 CPD hours)."
    )
    catalog = document.catalog
    assert resolve1(catalog["Lang"]) == b"en-gb"
    assert resolve1(resolve1(catalog["ViewerPreferences"])["DisplayDocTitle"]) is True


def test_certificate_pdf_outcomes_longer_than_a_page_continue_with_the_footer_on_every_page():
    outcomes = tuple(f"Outcome {n:02d}: describe one way to keep a circle safe and kind" for n in range(60))
    pdf = certificate_pdf(replace(FACTS, learning_outcomes=outcomes))

    pages = _page_texts(pdf)
    assert len(pages) >= 3
    whole = " ".join(pages)
    for outcome in outcomes:
        assert whole.count(outcome) == 1
    # In order, none lost between pages.
    found = [int(number) for number in re.findall(r"Outcome (\d\d):", whole)]
    assert found == list(range(60))
    for number, text in enumerate(pages, start=1):
        assert "with the code 7KQ4-M2XD-9PLA." in text
        assert f"Page {number}." in text
    continued = (
        "Certificate of attendance: Zoë Ashworth-Okafor, Listening with compassion: a foundation course"
    )
    for text in pages[1:]:
        assert text.startswith(f"{continued} (continued)")


def test_certificate_pdf_long_name_wraps_inside_the_page():
    name = "Maria Fernanda Gabriela Alejandra de los Ángeles Villanueva-Castellanos y Montenegro Ortiz"
    unbroken = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaftschaferswessenschafewarenwohl"
    pdf = certificate_pdf(replace(FACTS, person_name=f"{name} {unbroken}"))

    lines = [
        element
        for page in extract_pages(io.BytesIO(pdf))
        for box in page
        if hasattr(box, "__iter__")
        for element in box
        if isinstance(element, LTTextLine)
    ]
    for line in lines:
        assert 0 < line.x0 < line.x1 < A4_LANDSCAPE[0]
    name_lines = [line for line in lines if line.height > 20]  # the name is the only text this large
    name_lines = [line for line in name_lines if "Certificate of attendance" not in line.get_text()]
    assert len(name_lines) >= 3
    printed = "".join(_words(line.get_text()) for line in name_lines)
    assert printed.replace(" ", "") == f"{name}{unbroken}".replace(" ", "")


def test_certificate_pdf_prints_what_people_type_literally():
    pdf = certificate_pdf(
        replace(FACTS, person_name="Sam <b>O'Brien</b> & Co", learning_outcomes=("Use <i>and</i> & <br/>",))
    )

    text = _words(extract_text(io.BytesIO(pdf)))
    assert "Sam <b>O'Brien</b> & Co" in text
    assert "Use <i>and</i> & <br/>" in text


def test_certificate_pdf_prints_the_latin_letters_its_font_carries():
    name = "Łukasz Šimić, Çağla Işık, François Œuvray, Đorđe Žižek"
    pdf = certificate_pdf(replace(FACTS, person_name=name))

    assert characters_without_glyphs(name) == frozenset()
    assert name in _words(extract_text(io.BytesIO(pdf)))


@pytest.mark.parametrize(
    ("name", "missing"),
    [
        ("Ναταλία Παπαδοπούλου", set("ΝατλίΠδοούυ")),
        ("Małgorzata Żak", {"Ż"}),
        ("王小明", set("王小明")),
        ("Nguyễn Thị Ánh", {"ễ", "ị"}),
    ],
)
def test_certificate_pdf_names_beyond_the_font_do_not_fail_and_keep_the_exact_name_in_the_metadata(
    name, missing
):
    # The limitation the module documents: the embedded font has no glyph for these letters, so they are
    # drawn as empty boxes; the caller is told which, and the metadata still carries the exact name.
    pdf = certificate_pdf(replace(FACTS, person_name=name))

    assert characters_without_glyphs(name) == missing
    subject = decode_text(resolve1(_document(pdf).info[0]["Subject"]))
    assert subject.startswith(f"{name} attended Listening with compassion")
    text = _words(extract_text(io.BytesIO(pdf)))
    assert "Listening with compassion: a foundation course" in text
    assert "7KQ4-M2XD-9PLA" in text


def test_certificate_pdf_single_day_course_says_on_that_day():
    pdf = certificate_pdf(replace(FACTS, first_date=date(2026, 5, 9), last_date=date(2026, 5, 9)))

    text = _words(extract_text(io.BytesIO(pdf)))
    assert "on 9 May 2026" in text
    assert "from 9 May 2026" not in text
