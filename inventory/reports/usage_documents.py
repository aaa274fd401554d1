"""The usage report as documents for people: an XLSX workbook and a signed-off PDF, in Indonesian.

Rows in, bytes out: nothing here reads the database.

* XLSX (openpyxl, write-only: a national report is ~8,000 rows): one sheet per level, a
  title row, then the header row, frozen with the office code and name; figures are
  numbers, not text; the last row of each sheet holds the totals.
* PDF (fpdf2): A4 landscape, a letterhead with the area office's name, the period, one
  table per level with its totals, and a signature block for the head of office. The text
  font is DejaVu Sans where the system has it (any office name prints), else Helvetica,
  whose Latin-1 cannot show every name: characters outside it print as "?".
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from datetime import date

from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"

LEVEL_NAMES = {"province": "Provinsi", "regency": "Kabupaten-Kota", "district": "Kecamatan",
               "mobile": "Unit Jemput Bola"}  # fmt: skip
REASON_NAMES = {"new_record": "Perekaman Baru", "replacement": "Penggantian",
                "data_change": "Perubahan Data", "other": "Lainnya"}  # fmt: skip
HEADERS = {
    "office": "Kode", "name": "Nama Kantor", "kind": "Jenis", "parent": "Kode Induk", "active": "Aktif",
    "time_zone": "Zona Waktu",
    "opening": "Saldo Awal", "received": "Penerimaan", "transfers_in": "Mutasi Masuk",
    "transfers_returned": "Mutasi Batal (Kembali)", "transfers_out": "Mutasi Keluar",
    "printed": "Jumlah Tercetak", "spoiled": "Rusak/Gagal Cetak",
    "adjustment_stocktake": "Selisih Stok Opname", "adjustment_loss": "Hilang",
    "adjustment_damage": "Rusak di Gudang", "adjustment_found": "Ditemukan",
    "adjustment_correction": "Koreksi", "adjustment_defective": "Cacat (ke Pemusnahan)",
    "adjustment_loss_in_transit": "Hilang dalam Perjalanan",
    "adjustments": "Jumlah Penyesuaian",
    "total_in": "Jumlah Masuk", "total_out": "Jumlah Keluar", "closing": "Saldo Akhir",
    "custody_opening": "Menunggu Pemusnahan (Awal)", "custody_added": "Masuk Penyimpanan",
    "custody_sent": "Dikirim untuk Dimusnahkan", "custody_received": "Diterima untuk Dimusnahkan",
    "custody_destroyed": "Dimusnahkan", "custody_closing": "Menunggu Pemusnahan (Akhir)",
}  # fmt: skip
# The PDF's narrow columns take shorter words; the workbook keeps the full headers.
PDF_HEADERS = {
    "received": "Terima", "transfers_returned": "Mutasi Batal", "printed_new_record": "Cetak Baru",
    "printed_replacement": "Cetak Ganti", "printed_data_change": "Cetak Ubah Data",
    "printed_other": "Cetak Lain", "printed": "Jml Cetak", "spoiled": "Rusak Cetak",
    "adjustment_stocktake": "Stok Opname", "adjustment_damage": "Rusak Gudang", "adjustment_found": "Temuan",
    "adjustment_defective": "Cacat", "adjustment_loss_in_transit": "Hilang Jalan",
    "adjustments": "Jml Penyes.", "total_in": "Jml Masuk", "total_out": "Jml Keluar",
    "custody_opening": "Menunggu (Awal)", "custody_added": "Masuk", "custody_sent": "Dikirim",
    "custody_received": "Diterima", "custody_destroyed": "Dimusnahkan", "custody_closing": "Menunggu (Akhir)",
}  # fmt: skip
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")  # fmt: skip
TITLE = "LAPORAN PENGGUNAAN BLANGKO KTP-EL"
OFFICE_FIELDS = ("office", "name")  # the office columns the documents show


def header(column: str) -> str:
    if column.startswith("printed_"):
        reason = column.removeprefix("printed_")
        return f"Cetak {REASON_NAMES.get(reason, reason)}"
    return HEADERS.get(column, column)


def indonesian_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def period_text(report: dict) -> str:
    first, last = _day(report["from"]), _day(report["to"])
    return f"Periode {indonesian_date(first)} s.d. {indonesian_date(last)}"


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def level_name(level: str) -> str:
    return LEVEL_NAMES.get(level, level)


# --- XLSX -----------------------------------------------------------------------------


def xlsx(report: dict) -> bytes:
    columns = (*OFFICE_FIELDS, *report["columns"])
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet in report["levels"]:
        ws = book.create_sheet(level_name(sheet["level"]))
        ws.freeze_panes = "C3"  # title and header rows, code and name columns
        ws.column_dimensions["A"].width = 12
        ws.column_dimensions["B"].width = 32
        title = WriteOnlyCell(
            ws, f"{TITLE} — {report['under_name']} ({report['under']}) — {period_text(report)}"
        )
        title.font = bold
        ws.append([title])
        heads = []
        for column in columns:
            cell = WriteOnlyCell(ws, header(column))
            cell.font, cell.alignment = bold, wrap
            heads.append(cell)
        ws.append(heads)
        for row in sheet["rows"]:
            ws.append([row[column] for column in columns])
        total = [WriteOnlyCell(ws, "Jumlah"), None] + [
            WriteOnlyCell(ws, sheet["totals"][c]) for c in columns[2:]
        ]
        for cell in total:
            if cell is not None:
                cell.font = bold
        ws.append(total)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)
CODE_WIDTH, NAME_WIDTH = 16.0, 38.0  # mm; the figures share what is left of the line


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.text_font, size=7)
        self.cell(0, 5, f"Halaman {self.page_no()}/{{nb}}", align="R")


def pdf(report: dict, printed_on: date) -> bytes:
    document = _Pdf(orientation="L", unit="mm", format="A4")
    document.text_font = _fonts(document)
    document.set_auto_page_break(auto=True, margin=14)
    document.set_margins(10, 10, 10)
    document.alias_nb_pages()
    document.add_page()
    _letterhead(document, report)
    for sheet in report["levels"]:
        _table(document, report, sheet)
    _signature(document, report, printed_on)
    return bytes(document.output())


def _fonts(document: FPDF) -> str:
    for folder in FONT_DIRS:
        regular, bold = os.path.join(folder, "DejaVuSans.ttf"), os.path.join(folder, "DejaVuSans-Bold.ttf")
        if os.path.exists(regular) and os.path.exists(bold):
            document.add_font("DejaVu", "", regular)
            document.add_font("DejaVu", "B", bold)
            return "DejaVu"
    return "Helvetica"


def _text(document: FPDF, value: object) -> str:
    text = "" if value is None else str(value)
    if document.text_font == "Helvetica":
        return text.encode("latin-1", "replace").decode("latin-1")
    return text


def _letterhead(document: FPDF, report: dict) -> None:
    font = document.text_font
    document.set_font(font, "B", 13)
    document.cell(
        0, 7, _text(document, report["under_name"].upper()), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    document.set_font(font, "", 9)
    document.cell(
        0, 5, _text(document, f"Kode wilayah {report['under']}"), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    y = document.get_y() + 1
    document.set_line_width(0.6)
    document.line(10, y, document.w - 10, y)
    document.set_line_width(0.2)
    document.ln(4)
    document.set_font(font, "B", 11)
    document.cell(0, 6, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    document.set_font(font, "", 9)
    document.cell(0, 5, period_text(report), align="C", new_x="LMARGIN", new_y="NEXT")
    document.ln(2)


def _table(document: FPDF, report: dict, sheet: dict) -> None:
    """A level's table; the custody figures, when the report has them, in a second table below it."""
    custody = [column for column in report["columns"] if column.startswith("custody_")]
    stock = [column for column in report["columns"] if column not in custody]
    if document.get_y() > document.h - 40:
        document.add_page()
    document.set_font(document.text_font, "B", 9)
    title = f"{level_name(sheet['level'])} ({sheet['count']} kantor)"
    document.cell(0, 6, _text(document, title), new_x="LMARGIN", new_y="NEXT")
    _figures_table(document, sheet, stock)
    if custody:
        document.set_font(document.text_font, "B", 8)
        document.cell(0, 5, f"{title}: blangko rusak menunggu pemusnahan", new_x="LMARGIN", new_y="NEXT")
        _figures_table(document, sheet, custody)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # Indonesian thousands separator


def _figures_table(document: FPDF, sheet: dict, columns: Sequence[str]) -> None:
    width = min(20.0, (document.w - 20 - CODE_WIDTH - NAME_WIDTH) / len(columns))
    widths = (CODE_WIDTH, NAME_WIDTH, *([width] * len(columns)))
    font = document.text_font
    heads = [PDF_HEADERS.get(column) or header(column) for column in (*OFFICE_FIELDS, *columns)]
    body = [[row["office"], row["name"], *(_number(row[c]) for c in columns)] for row in sheet["rows"]]
    total = ["Jumlah", "", *(_number(sheet["totals"][c]) for c in columns)]
    # Small enough that the widest figure (the totals are the widest) fits its column on one line.
    size = 5.5
    document.set_font(font, "B", size)
    widest = max((document.get_string_width(value) for value in total[2:]), default=0)
    if widest > width - 1.5:
        size = max(3.5, size * (width - 1.5) / widest)
    document.set_font(font, "", size)
    with document.table(
        col_widths=widths,
        width=sum(widths),
        text_align=("LEFT", "LEFT", *(["RIGHT"] * len(columns))),
        line_height=size * 0.55,
        repeat_headings=1,
        first_row_as_headings=True,
    ) as table:
        for values in (heads, *body):
            line = table.row()
            for value in values:
                line.cell(_text(document, value))
        document.set_font(font, "B", size)
        line = table.row()
        for value in total:
            line.cell(value)
    document.set_font(font, "", size)
    document.ln(3)


def _signature(document: FPDF, report: dict, printed_on: date) -> None:
    """Where the head of office signs: name and NIP written in by hand (no office setting holds them yet)."""
    if document.get_y() > document.h - 50:
        document.add_page()
    font = document.text_font
    document.set_font(font, "", 9)
    x = document.w - 10 - 90
    document.ln(4)
    for text, gap in (
        (f"Dibuat tanggal {indonesian_date(printed_on)}", 5),
        ("Mengetahui,", 5),
        (f"Kepala {report['under_name']}", 22),
        ("(.............................................)", 5),
        ("NIP. .........................................", 5),
    ):
        document.set_x(x)
        document.cell(90, gap, _text(document, text), align="C", new_x="LMARGIN", new_y="NEXT")
