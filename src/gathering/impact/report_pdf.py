"""The annual impact report as an A4 PDF: a title block, then each section's paragraphs and tables.

The caller gives finished words and figures (already suppressed and formatted: a hidden figure arrives as
the text "fewer than 5" or "hidden"); this module only lays them out. Tables wrap their text, repeat their
header row on every page they run onto, shade every other row and right-align numbers. Every page's footer
carries the footnote and "Page N of M"; each section is a bookmark in the viewer's outline. The document's
title, author, subject and language are set, and the viewer shows the title rather than the file name.

Fonts: Bitstream Vera Sans, which ships inside ReportLab and is embedded (subset), as in the certificates
(learning/certificate_pdf.py, which explains why ReportLab's standard Latin-1 fonts are not used). It
carries the typography of our texts: curly quotes, dashes, the pound sign, the ellipsis. It is registered
here under its own names so that neither module's registration can disturb a document the other is
building.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

FONT = "ImpactVera"
FONT_BOLD = "ImpactVera-Bold"
FONT_ITALIC = "ImpactVera-Italic"
FONT_BOLD_ITALIC = "ImpactVera-BoldItalic"
_FONT_FILES = {
    FONT: "Vera.ttf",
    FONT_BOLD: "VeraBd.ttf",
    FONT_ITALIC: "VeraIt.ttf",
    FONT_BOLD_ITALIC: "VeraBI.ttf",
}

INK = colors.HexColor("#1b1b1b")
ACCENT = colors.HexColor("#1d4d6b")  # white on it: 9.1:1
ZEBRA = colors.HexColor("#eef3f6")  # every other row; the ink on it: 15:1
RULE = colors.HexColor("#b1b4b6")
PAGE = A4
MARGIN = 2 * cm
FOOTER_GAP = 0.5 * cm  # between the body and the footer
CELL_PADDING = 4
TABLE_ROOM = 3.5 * cm  # a table's title, header and first rows
HEADING_ROOM = TABLE_ROOM + 1.5 * cm

HIDDEN_TEXTS = ("fewer than 5", "hidden")  # how the caller writes a hidden figure (set in italics)
# A number as the caller formats it: 1,234  £1,234.50  12.5  45%  −3
_NUMBER = re.compile(r"[-+−]?£?[-+−]?\d[\d,]*(\.\d+)?%?|[-+−]?£?[-+−]?\.\d+%?")


@dataclass(frozen=True)
class ReportTable:
    title: str
    header: tuple[str, ...]
    rows: tuple[
        tuple[str, ...], ...
    ]  # cells already formatted; a hidden figure is "fewer than 5" or "hidden"
    note: str = ""


@dataclass(frozen=True)
class ReportSection:
    heading: str
    paragraphs: tuple[str, ...] = ()  # plain text; newlines start new paragraphs
    tables: tuple[ReportTable, ...] = ()


def annual_report_pdf(
    *,
    title: str,
    organisation: str,
    period_label: str,
    sections: Sequence[ReportSection],
    footnote: str,
    generated_on: str,
) -> bytes:
    """The report as PDF bytes: A4 portrait with 2 cm margins."""
    _register_fonts()
    styles = _styles()
    content = {
        "title": title,
        "organisation": organisation,
        "period_label": period_label,
        "sections": sections,
        "footnote": footnote,
        "generated_on": generated_on,
        "styles": styles,
    }
    # Laid out twice: the first time counts the pages, so that every footer can say "Page N of M".
    _pdf, pages = _build(**content, total_pages=None)
    pdf, _pages = _build(**content, total_pages=pages)
    return pdf


def is_numeric(cell: str) -> bool:
    """Whether a table cell is a number (right-aligned): digits with commas, a point, £ or %."""
    return _NUMBER.fullmatch(cell.strip()) is not None


def _build(
    *,
    title: str,
    organisation: str,
    period_label: str,
    sections: Sequence[ReportSection],
    footnote: str,
    generated_on: str,
    styles: dict[str, ParagraphStyle],
    total_pages: int | None,
) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    width = PAGE[0] - 2 * MARGIN
    footer = _Footer(_text(footnote), styles, total_pages)
    document = _ReportDocument(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + footer.height(width) + FOOTER_GAP,
        title=_printable(title),
        author=_printable(organisation),
        subject=_("%(title)s: %(organisation)s, %(period)s")
        % {
            "title": _printable(title),
            "organisation": _printable(organisation),
            "period": _printable(period_label),
        },
        creator=_printable(organisation),
        lang=get_language() or "en",
        displayDocTitle=True,
        initialFontName=FONT,
    )
    frame = Frame(
        document.leftMargin,
        document.bottomMargin,
        document.width,
        document.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
        showBoundary=0,
    )
    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer.draw)])
    document.build(
        _story(
            title=title,
            organisation=organisation,
            period_label=period_label,
            sections=sections,
            generated_on=generated_on,
            styles=styles,
            width=document.width,
        )
    )
    return buffer.getvalue(), document.page


class _ReportDocument(BaseDocTemplate):
    """Adds each section heading to the PDF's outline (the viewer's bookmarks) where it is drawn."""

    def afterFlowable(self, flowable: Flowable) -> None:
        heading = getattr(flowable, "outline_title", None)
        if heading is None:
            return
        key = f"section-{self.seq.nextf('impact-section')}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(heading, key, level=0, closed=False)


class _Footer:
    """The footnote and "Page N of M" at the foot of every page, inside the bottom margin's line."""

    def __init__(self, footnote: str, styles: dict[str, ParagraphStyle], total_pages: int | None) -> None:
        self.footnote = footnote
        self.styles = styles
        self.total_pages = total_pages

    def height(self, width: float) -> float:
        return self._page_line_height() + (self._paragraph().wrap(width, PAGE[1])[1] if self.footnote else 0)

    def draw(self, canvas: Canvas, document: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        top = MARGIN + self.height(document.width) + FOOTER_GAP / 2
        canvas.line(document.leftMargin, top, document.leftMargin + document.width, top)
        page = _("Page %(page)s of %(pages)s") % {
            "page": document.page,
            "pages": self.total_pages if self.total_pages is not None else document.page,
        }
        style = self.styles["footer"]
        canvas.setFont(style.fontName, style.fontSize)
        canvas.setFillColor(INK)
        # The baseline sits above the margin by the font's descent, so that no letter dips into the margin.
        _ascent, descent = pdfmetrics.getAscentDescent(style.fontName, style.fontSize)
        canvas.drawRightString(document.leftMargin + document.width, MARGIN - descent, page)
        if self.footnote:
            paragraph = self._paragraph()
            paragraph.wrap(document.width, PAGE[1])
            paragraph.drawOn(canvas, document.leftMargin, MARGIN + self._page_line_height())
        canvas.restoreState()

    def _paragraph(self) -> Paragraph:
        return Paragraph(self.footnote, self.styles["footer"])

    def _page_line_height(self) -> float:
        return self.styles["footer"].leading + 2


def _story(
    *,
    title: str,
    organisation: str,
    period_label: str,
    sections: Sequence[ReportSection],
    generated_on: str,
    styles: dict[str, ParagraphStyle],
    width: float,
) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(_text(title), styles["title"]),
        Paragraph(_text(organisation), styles["organisation"]),
        Paragraph(_text(period_label), styles["period"]),
        Paragraph(_text(_("Produced on %(day)s") % {"day": _printable(generated_on)}), styles["small"]),
        Spacer(1, 0.3 * cm),
        HRFlowable(width="100%", thickness=1, color=ACCENT, spaceAfter=0.4 * cm),
    ]
    if not sections:
        story.append(Paragraph(_("This report has no sections."), styles["body"]))
    for section in sections:
        heading = Paragraph(_text(section.heading), styles["heading"])
        heading.outline_title = _printable(section.heading)
        # A heading never sits alone at the foot of a page (with room below it for a table's start too).
        story += [CondPageBreak(HEADING_ROOM), heading]
        for text in section.paragraphs:
            story += [Paragraph(_text(line), styles["body"]) for line in _lines(text)]
        for table in section.tables:
            story += _table(table, styles, width)
    return story


def _table(table: ReportTable, styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    # The title, the header and the first rows start on the same page; a long table then runs on.
    flowables: list[Flowable] = [
        CondPageBreak(TABLE_ROOM),
        Paragraph(_text(table.title), styles["table_title"]),
    ]
    columns = max([len(table.header), *(len(row) for row in table.rows)])
    if columns == 0 or not table.rows:
        flowables.append(Paragraph(_("No figures in this table."), styles["body"]))
    else:
        header = _padded(table.header, columns)
        rows = [_padded(row, columns) for row in table.rows]
        numeric_columns = [_is_numeric_column(row[index] for row in rows) for index in range(columns)]
        data = [
            [
                Paragraph(_text(cell), styles["header_right" if numeric_columns[index] else "header"])
                for index, cell in enumerate(header)
            ]
        ]
        for row in rows:
            data.append([_cell(cell, numeric_columns[index], styles) for index, cell in enumerate(row)])
        grid = Table(
            data,
            colWidths=_column_widths([header, *rows], width, styles),
            repeatRows=1,
            hAlign="LEFT",
            style=TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
                    ("LINEBELOW", (0, -1), (-1, -1), 0.75, ACCENT),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                    ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            ),
        )
        flowables.append(grid)
    if table.note:
        flowables += [Paragraph(_text(line), styles["note"]) for line in _lines(table.note)]
    flowables.append(Spacer(1, 0.4 * cm))
    return flowables


def _cell(cell: str, numeric_column: bool, styles: dict[str, ParagraphStyle]) -> Paragraph:
    if _is_hidden(cell):
        return Paragraph(_text(cell), styles["cell_hidden_right" if numeric_column else "cell_hidden"])
    return Paragraph(_text(cell), styles["cell_right" if is_numeric(cell) else "cell"])


def _is_numeric_column(cells: Sequence[str]) -> bool:
    # A column of numbers, some of them hidden: its header and its hidden cells line up on the right too.
    kinds = [("hidden" if _is_hidden(cell) else is_numeric(cell)) for cell in cells if cell.strip()]
    return any(kind is True for kind in kinds) and all(kind in (True, "hidden") for kind in kinds)


def _is_hidden(cell: str) -> bool:
    text = cell.strip().lower()
    return any(text in (phrase, _(phrase).lower()) for phrase in HIDDEN_TEXTS)


def _column_widths(
    rows: Sequence[Sequence[str]], width: float, styles: dict[str, ParagraphStyle]
) -> list[float]:
    """Widths that fill the page's width: each column as wide as its longest text when they all fit;
    otherwise at least as wide as its longest word (or an equal share of the page, for a word longer than
    that, which then breaks), with the room left shared in proportion to what each column still wants."""
    style = styles["cell"]
    bold = styles["header"]
    padding = 2 * CELL_PADDING + 2
    natural, least = [], []
    for index in range(len(rows[0])):
        texts = [
            (_printable(row[index]), bold.fontName if number == 0 else style.fontName)
            for number, row in enumerate(rows)
        ]
        longest_text = max(pdfmetrics.stringWidth(text, font, style.fontSize) for text, font in texts)
        longest_word = max(
            (
                pdfmetrics.stringWidth(word, font, style.fontSize)
                for text, font in texts
                for word in text.split()
            ),
            default=0,
        )
        least.append(min(longest_word + padding, width / len(rows[0])))
        natural.append(max(longest_text + padding, least[-1]))
    if sum(natural) <= width:
        # Room to spare: the first column (the row's words) takes it.
        return [natural[0] + width - sum(natural), *natural[1:]]
    spare = width - sum(least)
    wants = [high - low for low, high in zip(least, natural, strict=True)]
    return [low + spare * want / sum(wants) for low, want in zip(least, wants, strict=True)]


def _padded(cells: tuple[str, ...], columns: int) -> list[str]:
    return [*cells, *([""] * (columns - len(cells)))]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@cache
def _register_fonts() -> None:
    # ReportLab finds these file names on its own search path, which includes its bundled fonts folder.
    for name, file_name in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, file_name))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
    )


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "base", fontName=FONT, fontSize=10.5, leading=14.5, textColor=INK, alignment=TA_LEFT
    )
    cell = ParagraphStyle("cell", base, fontSize=9.5, leading=12)
    header = ParagraphStyle("header", cell, fontName=FONT_BOLD, textColor=colors.white)
    return {
        "title": ParagraphStyle(
            "title", base, fontName=FONT_BOLD, fontSize=22, leading=27, textColor=ACCENT, spaceAfter=6
        ),
        "organisation": ParagraphStyle("organisation", base, fontSize=14, leading=18, spaceAfter=2),
        "period": ParagraphStyle("period", base, fontSize=12, leading=16, spaceAfter=2),
        "small": ParagraphStyle("small", base, fontSize=9.5, leading=13),
        "heading": ParagraphStyle(
            "heading",
            base,
            fontName=FONT_BOLD,
            fontSize=15,
            leading=19,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=6,
        ),
        "body": ParagraphStyle("body", base, spaceAfter=6),
        "table_title": ParagraphStyle(
            "table_title",
            base,
            fontName=FONT_BOLD,
            fontSize=11,
            leading=15,
            spaceBefore=4,
            spaceAfter=4,
        ),
        "note": ParagraphStyle("note", base, fontName=FONT_ITALIC, fontSize=9, leading=12, spaceBefore=3),
        "cell": cell,
        "cell_right": ParagraphStyle("cell_right", cell, alignment=TA_RIGHT),
        "cell_hidden": ParagraphStyle("cell_hidden", cell, fontName=FONT_ITALIC),
        "cell_hidden_right": ParagraphStyle(
            "cell_hidden_right", cell, fontName=FONT_ITALIC, alignment=TA_RIGHT
        ),
        "header": header,
        "header_right": ParagraphStyle("header_right", header, alignment=TA_RIGHT),
        "footer": ParagraphStyle("footer", base, fontSize=8.5, leading=11),
    }


def _printable(text: str) -> str:
    # Control characters (a stray tab or NUL pasted into a text) have no place in a report.
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in text).strip()


def _text(text: str) -> str:
    """Plain text as Paragraph markup: nothing the caller wrote is read as markup."""
    return html.escape(_printable(text), quote=False)
