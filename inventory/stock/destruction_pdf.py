"""The berita acara pemusnahan as a PDF, in Indonesian, on A4 (fpdf2): the office's letterhead,
the legal basis, the counts per category, the serial ranges, the witnesses with signature
lines and the head of office's name and NIP (office settings, PATCH /offices/{code})."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF

LEGAL_BASIS = (
    "Surat Edaran Menteri Dalam Negeri Nomor 470.13/11176/SJ tanggal 13 Desember 2018, yang "
    "memerintahkan agar KTP-el yang rusak atau tidak berlaku (invalid) dicatat dan dimusnahkan "
    "dengan cara dibakar, dan setiap pemusnahan dituangkan dalam berita acara."
)
CATEGORY_LABELS = {
    "spoiled_print": "KTP-el gagal cetak (rusak saat pencetakan)",
    "returned_card": "KTP-el lama yang diserahkan penduduk",
    "defective_blank": "Blangko KTP-el cacat produksi / chip tidak dapat diisi",
}
METHOD_LABELS = {"burned": "dibakar", "shredded": "dicacah", "cut": "dipotong/digunting"}
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")  # fmt: skip


def tanggal(day: date) -> str:
    """A day as Indonesian documents write it: 19 Desember 2018."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _latin(text: str | None) -> str:
    # The PDF's core fonts hold Latin-1; a character outside it prints as "?" rather than failing.
    return (text or "").encode("latin-1", "replace").decode("latin-1")


class _Document(FPDF):
    def cell_text(self, text: str, height: float = 6, **kwargs) -> None:
        self.multi_cell(0, height, _latin(text), new_x="LMARGIN", new_y="NEXT", **kwargs)


def render(record: dict, office: dict) -> bytes:
    """`record` as destructions.get returns it; `office`: name, address, head_name, head_nip."""
    pdf = _Document(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    _letterhead(pdf, office)
    _title(pdf, record)
    _body(pdf, record)
    _witnesses(pdf, record["witnesses"])
    _head_of_office(pdf, record, office)
    return bytes(pdf.output())


def _letterhead(pdf: _Document, office: dict) -> None:
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell_text("DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", align="C")
    pdf.cell_text(office["name"].upper(), align="C")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell_text(office.get("address") or "(alamat kantor belum diisi)", 5, align="C")
    y = pdf.get_y() + 2
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_line_width(0.2)
    pdf.set_y(y + 5)


def _title(pdf: _Document, record: dict) -> None:
    pdf.set_font("Helvetica", "B", 12)
    if record["reversal_of"] is not None:
        pdf.cell_text("BERITA ACARA PEMBATALAN PEMUSNAHAN KTP-EL", align="C")
    else:
        pdf.cell_text("BERITA ACARA PEMUSNAHAN KTP-EL RUSAK DAN INVALID", align="C")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell_text(f"Nomor: {record['document_no']}", align="C")
    if record["status"] == "draft":
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell_text("DRAF - belum ditandatangani", align="C")
    pdf.ln(4)


def _body(pdf: _Document, record: dict) -> None:
    day: date = record["destroyed_on"]
    pdf.set_font("Helvetica", "", 11)
    if record["reversal_of"] is not None:
        pdf.cell_text(
            "Berita acara ini membatalkan berita acara pemusnahan dengan nomor catatan "
            f"{record['reversal_of']}. "
            f"Kartu di bawah ini dikembalikan ke penyimpanan. Alasan: {record['note'] or '-'}."
        )
        pdf.ln(2)
    pdf.cell_text(
        f"Pada hari ini, {DAYS[day.weekday()]}, tanggal {tanggal(day)}, bertempat di {record['place']}, "
        f"telah dilakukan pemusnahan KTP-el dengan cara {METHOD_LABELS[record['method']]}, "
        "disaksikan oleh para saksi yang namanya tercantum di bawah ini."
    )
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell_text("Dasar hukum:")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell_text(LEGAL_BASIS)
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell_text("Jumlah yang dimusnahkan:")
    pdf.set_font("Helvetica", "", 11)
    for category, label in CATEGORY_LABELS.items():
        pdf.cell(130, 7, _latin(label), border=1)
        pdf.cell(
            0, 7, f"{record['counts'][category]} keping", border=1, align="R", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(130, 7, "Jumlah", border=1)
    pdf.cell(0, 7, f"{record['total']} keping", border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.ln(2)
    serials = ", ".join(record["serials"]) if record["serials"] else "tidak dicatat"
    pdf.cell_text(f"Nomor seri / rentang nomor seri: {serials}")
    pdf.ln(3)


def _witnesses(pdf: _Document, witnesses: list[dict]) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell_text("Saksi-saksi:")
    widths = (10, 55, 40, 45, 40)
    pdf.set_font("Helvetica", "B", 10)
    for width, heading in zip(
        widths, ("No", "Nama / NIP", "Instansi", "Jabatan / peran", "Tanda tangan"), strict=True
    ):
        pdf.cell(width, 7, heading, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for number, witness in enumerate(witnesses, start=1):
        if pdf.get_y() > pdf.h - 40:
            pdf.add_page()
        name = witness["name"] + (f"\nNIP {witness['nip']}" if witness.get("nip") else "")
        cells = (str(number), name, witness["institution"], witness["role"], f"{number}. ..............")
        top = pdf.get_y()
        x = pdf.l_margin
        for width, text in zip(widths, cells, strict=True):
            pdf.set_xy(x, top)
            pdf.multi_cell(width, 6, _latin(text), border=0)
            x += width
        bottom = max(pdf.get_y(), top + 14)
        x = pdf.l_margin
        for width in widths:
            pdf.rect(x, top, width, bottom - top)
            x += width
        pdf.set_xy(pdf.l_margin, bottom)
    pdf.ln(4)


def _head_of_office(pdf: _Document, record: dict, office: dict) -> None:
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    pdf.cell_text(
        "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya."
    )
    pdf.ln(4)
    x = pdf.w / 2 + 5
    for line in (f"{record['place']}, {tanggal(record['destroyed_on'])}", f"Kepala {office['name']}"):
        pdf.set_x(x)
        pdf.multi_cell(0, 6, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(22)
    pdf.set_font("Helvetica", "BU", 11)
    pdf.set_x(x)
    pdf.multi_cell(
        0,
        6,
        _latin(office.get("head_name") or "(nama kepala kantor belum diisi)"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 11)
    pdf.set_x(x)
    pdf.multi_cell(0, 6, _latin(f"NIP. {office.get('head_nip') or '-'}"), new_x="LMARGIN", new_y="NEXT")
