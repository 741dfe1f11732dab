"""The PDF certificate of attendance a person downloads when they complete a course.

One calm A4 landscape page (more when the learning outcomes need them), with the name, the course, its
dates, the CPD hours, the learning outcomes, and on every page the code and address where anyone can
check the certificate. The document's title, author, subject and language are set, and the viewer shows
the title rather than the file name.

Fonts: the text is set in Bitstream Vera Sans, which ships inside ReportLab and is embedded (subset) in
every certificate, so it looks the same on any machine. ReportLab's standard fonts (Helvetica and
friends) are not used: they carry Latin-1 only, and ReportLab writes other letters into them as wrong
characters without any error (a Polish Ł is read back as an n). Vera covers Latin-1 and some of Latin
Extended-A (Ł, Š, Ž, Č, Ğ, İ, Œ and their lower case, among others), but not, for example, ą, ę, ń, ś,
ż, ő, ř, Greek, Cyrillic, Arabic, Hebrew or any Asian script: such a letter is drawn as an empty box.
The PDF never fails and never swaps a letter for another, and its metadata (title and subject) always
carries the exact name, but the printed name is wrong for those people. `characters_without_glyphs`
tells the caller so it can ask the person how they want their name printed; the Open Badge credential
carries any name exactly.
"""

from __future__ import annotations

import html
import io
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from django.utils import dateformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
    Spacer,
)

FONT = "GatheringVera"
FONT_BOLD = "GatheringVera-Bold"
FONT_ITALIC = "GatheringVera-Italic"
_FONT_FILES = {FONT: "Vera.ttf", FONT_BOLD: "VeraBd.ttf", FONT_ITALIC: "VeraIt.ttf"}

INK = colors.HexColor("#1f2a30")
ACCENT = colors.HexColor("#1d5c63")
SOFT = colors.HexColor("#9cc5c1")
PAGE = landscape(A4)
MARGIN = 2.2 * cm
FOOTER_HEIGHT = 2.2 * cm


@dataclass(frozen=True)
class CertificateFacts:
    """Everything a certificate of attendance says."""

    person_name: str
    course_title: str
    first_date: date
    last_date: date
    cpd_hours: Decimal
    learning_outcomes: tuple[str, ...]
    verification_code: str
    verification_url: str
    issuer_name: str
    issued_on: date


@cache
def _register_fonts() -> None:
    # ReportLab finds these file names on its own search path, which includes its bundled fonts folder.
    for name, file_name in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, file_name))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD)


@cache
def _covered_code_points() -> frozenset[int]:
    _register_fonts()
    covered = None
    for name in _FONT_FILES:
        points = frozenset(pdfmetrics.getFont(name).face.charToGlyph)
        covered = points if covered is None else covered & points
    return covered or frozenset()


def characters_without_glyphs(text: str) -> frozenset[str]:
    """The characters of `text` the certificate's font cannot draw (shown as empty boxes)."""
    covered = _covered_code_points()
    return frozenset(ch for ch in _printable(text) if not ch.isspace() and ord(ch) not in covered)


def certificate_pdf(facts: CertificateFacts) -> bytes:
    """The certificate of attendance as PDF bytes."""
    _register_fonts()
    styles = _styles()
    name = _printable(facts.person_name)
    course = _printable(facts.course_title)
    first, last = _day(facts.first_date), _day(facts.last_date)
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
        title=_("Certificate of attendance: %(name)s, %(course)s") % {"name": name, "course": course},
        author=facts.issuer_name,
        subject=_("%(name)s attended %(course)s from %(first)s to %(last)s (%(hours)s CPD hours).")
        % {"name": name, "course": course, "first": first, "last": last, "hours": _hours(facts.cpd_hours)},
        creator=facts.issuer_name,
        keywords=[_("certificate of attendance"), facts.verification_code],
        lang=get_language() or "en",
        displayDocTitle=True,
        initialFontName=FONT,
    )
    frame = Frame(
        document.leftMargin, document.bottomMargin, document.width, document.height, id="body", showBoundary=0
    )
    later_frame = Frame(
        document.leftMargin,
        document.bottomMargin,
        document.width,
        # Below the running head, however many lines a long name makes it.
        document.height
        - Paragraph(_running_head(facts), styles["running"]).wrap(document.width, PAGE[1])[1]
        - 0.6 * cm,
        id="later",
        showBoundary=0,
    )
    decorate = _PageDecoration(facts, styles)
    document.addPageTemplates(
        [
            PageTemplate(id="first", frames=[frame], onPage=decorate.first, autoNextPageTemplate="later"),
            PageTemplate(id="later", frames=[later_frame], onPage=decorate.later),
        ]
    )
    document.build(_story(facts, styles))
    return buffer.getvalue()


def _story(facts: CertificateFacts, styles: dict[str, ParagraphStyle]) -> list:
    if facts.first_date == facts.last_date:
        when = _("on %(day)s") % {"day": _day(facts.first_date)}
    else:
        when = _("from %(first)s to %(last)s") % {
            "first": _day(facts.first_date),
            "last": _day(facts.last_date),
        }
    story: list = [
        Paragraph(_text(facts.issuer_name), styles["issuer"]),
        Paragraph(_("Certificate of attendance"), styles["title"]),
        Paragraph(_("This certifies that"), styles["lead"]),
        Paragraph(_text(facts.person_name), styles["name"]),
        Paragraph(_("attended and completed"), styles["lead"]),
        Paragraph(_text(facts.course_title), styles["course"]),
        Paragraph(_text(when), styles["detail"]),
        Paragraph(
            _text(
                _("Continuing professional development: %(hours)s hours") % {"hours": _hours(facts.cpd_hours)}
            ),
            styles["detail"],
        ),
    ]
    if facts.learning_outcomes:
        items = [
            ListItem(Paragraph(_text(outcome), styles["outcome"]), leftIndent=14, value="•")
            for outcome in facts.learning_outcomes
        ]
        # The heading never sits alone at the foot of a page.
        story += [
            Spacer(1, 0.4 * cm),
            CondPageBreak(2.5 * cm),
            KeepTogether(
                [
                    Paragraph(_("Learning outcomes"), styles["heading"]),
                    Paragraph(_("Those who complete this course are able to:"), styles["outcome"]),
                ]
            ),
            ListFlowable(items, bulletType="bullet", start="•", leftIndent=14, bulletFontName=FONT),
        ]
    return story


class _PageDecoration:
    """The border, the running head on later pages and the verification footer on every page."""

    def __init__(self, facts: CertificateFacts, styles: dict[str, ParagraphStyle]) -> None:
        self.facts = facts
        self.styles = styles

    def first(self, canvas: Canvas, document: BaseDocTemplate) -> None:
        self._border(canvas)
        self._footer(canvas, document)

    def later(self, canvas: Canvas, document: BaseDocTemplate) -> None:
        self._border(canvas)
        head = Paragraph(_running_head(self.facts), self.styles["running"])
        _, height = head.wrap(document.width, PAGE[1])
        head.drawOn(canvas, document.leftMargin, PAGE[1] - MARGIN - height)
        self._footer(canvas, document)

    def _border(self, canvas: Canvas) -> None:
        canvas.saveState()
        canvas.setStrokeColor(SOFT)
        canvas.setLineWidth(1.5)
        inset = 1 * cm
        canvas.roundRect(inset, inset, PAGE[0] - 2 * inset, PAGE[1] - 2 * inset, radius=12, stroke=1, fill=0)
        canvas.restoreState()

    def _footer(self, canvas: Canvas, document: BaseDocTemplate) -> None:
        facts = self.facts
        url = html.escape(facts.verification_url, quote=True)
        verify = _("Check this certificate at %(url)s with the code %(code)s.") % {
            "url": f'<a href="{url}" color="#1d5c63"><u>{_text(facts.verification_url)}</u></a>',
            "code": f"<b>{_text(facts.verification_code)}</b>",
        }
        issued = _("Issued on %(day)s by %(issuer)s. Page %(page)s.") % {
            "day": _day(facts.issued_on),
            "issuer": _text(facts.issuer_name),
            "page": document.page,
        }
        self._paragraph(canvas, f"{verify}<br/>{issued}", self.styles["footer"], document, bottom=MARGIN)

    def _paragraph(
        self,
        canvas: Canvas,
        markup: str,
        style: ParagraphStyle,
        document: BaseDocTemplate,
        *,
        bottom: float,
    ) -> None:
        paragraph = Paragraph(markup, style)
        paragraph.wrap(document.width, PAGE[1])
        paragraph.drawOn(canvas, document.leftMargin, bottom)


def _running_head(facts: CertificateFacts) -> str:
    head = _("Certificate of attendance: %(name)s, %(course)s (continued)") % {
        "name": _printable(facts.person_name),
        "course": _printable(facts.course_title),
    }
    return _text(head)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=12, leading=16, textColor=INK, alignment=TA_CENTER)
    return {
        "issuer": ParagraphStyle("issuer", base, fontSize=13, leading=17, textColor=ACCENT, spaceAfter=10),
        "title": ParagraphStyle(
            "title", base, fontName=FONT_BOLD, fontSize=28, leading=34, textColor=ACCENT, spaceAfter=16
        ),
        "lead": ParagraphStyle("lead", base, fontName=FONT_ITALIC, spaceAfter=6),
        "name": ParagraphStyle("name", base, fontName=FONT_BOLD, fontSize=24, leading=30, spaceAfter=8),
        "course": ParagraphStyle("course", base, fontName=FONT_BOLD, fontSize=18, leading=23, spaceAfter=8),
        "detail": ParagraphStyle("detail", base, spaceAfter=2),
        "heading": ParagraphStyle(
            "heading",
            base,
            fontName=FONT_BOLD,
            fontSize=13,
            leading=18,
            alignment=TA_LEFT,
            textColor=ACCENT,
            spaceAfter=4,
        ),
        "outcome": ParagraphStyle("outcome", base, fontSize=11, leading=15, alignment=TA_LEFT, spaceAfter=3),
        "running": ParagraphStyle(
            "running", base, fontSize=10, leading=13, alignment=TA_LEFT, textColor=ACCENT
        ),
        "footer": ParagraphStyle("footer", base, fontSize=9.5, leading=13),
    }


def _printable(text: str) -> str:
    # Control characters (a stray tab or NUL pasted into a name) have no place on a certificate.
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text).strip()


def _text(text: str) -> str:
    """Plain text as Paragraph markup: nothing the person typed is read as markup."""
    return html.escape(_printable(text), quote=False)


def _day(day: date) -> str:
    return dateformat.format(day, "j F Y")


def _hours(hours: Decimal) -> str:
    return format(Decimal(hours).normalize(), "f")
