"""The request letter (surat permintaan blangko) as a PDF on A4, in Indonesian: number, date,
letterhead, the projection figures that justify the request and the head of office's signature."""

from __future__ import annotations

from datetime import date, datetime

from fpdf import FPDF

from ..offices.models import Office
from ..planning.figures import figures_for
from .suggestion import position

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")  # fmt: skip


def letter_pdf(request: dict, office: Office, supplier: Office) -> bytes:
    figures = position(figures_for([office.id])[0])
    issued = request["submitted_at"] or request["created_at"]
    pdf = FPDF(format="A4")
    pdf.set_margins(25, 20, 25)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, _latin(office.name.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, f"Kode wilayah {office.code}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.line(25, pdf.get_y() + 2, 185, pdf.get_y() + 2)
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 11)
    year = issued.year if isinstance(issued, datetime) else date.today().year
    for label, value in (
        ("Nomor", f"SPB/{office.code}/{request['id']}/{year}"),
        ("Tanggal", _day(issued)),
        ("Sifat", "Segera" if request["emergency"] else "Biasa"),
        ("Perihal", "Permintaan blangko KTP-el"),
    ):
        pdf.cell(30, 6, label)
        pdf.cell(0, 6, f": {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 6, _latin(f"Kepada Yth.\nKepala {supplier.name} ({supplier.code})\ndi tempat"))
    pdf.ln(4)
    needed = f", paling lambat tanggal {_day(request['needed_by'])}" if request["needed_by"] else ""
    pdf.multi_cell(
        0,
        6,
        _latin(
            "Dengan hormat,\nBersama ini kami mengajukan permintaan blangko KTP-el sebanyak "
            f"{_n(request['quantity'])} keping untuk {office.name}{needed}, dengan pertimbangan "
            "sebagai berikut."
        ),
    )
    pdf.ln(2)
    rows = (
        ("Stok di tangan", _n(figures["on_hand"])),
        ("Dalam pengiriman", _n(figures["in_transit_in"])),
        ("Penduduk belum rekam", _n(figures["unrecorded"])),
        ("Proyeksi kekurangan", _n(figures["shortfall"])),
        ("Usulan permintaan (proyeksi)", _n(figures["suggested_order"])),
        (
            "Stok cukup untuk",
            f"{figures['days_of_cover']:g} hari" if figures["days_of_cover"] is not None else "-",
        ),
        ("Tanggal target", _day(figures["target_date"]) if figures["target_date"] else "-"),
    )
    for label, value in rows:
        pdf.cell(80, 7, label, border=1)
        pdf.cell(0, 7, value, border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if request["justification"]:
        pdf.multi_cell(0, 6, _latin(f"Alasan: {request['justification']}"))
        pdf.ln(2)
    pdf.multi_cell(
        0,
        6,
        "Demikian permohonan ini kami sampaikan. Atas perhatian dan kerja samanya kami ucapkan terima kasih.",
    )
    pdf.ln(10)
    pdf.set_x(115)
    pdf.multi_cell(
        70, 6, _latin(f"Kepala {office.name}\n\n\n\n(.................................)\nNIP."), align="C"
    )
    return bytes(pdf.output())


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "-"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _latin(text: str) -> str:
    """The PDF's core font writes Latin-1: anything else becomes a question mark, not an error."""
    return text.encode("latin-1", "replace").decode("latin-1")
