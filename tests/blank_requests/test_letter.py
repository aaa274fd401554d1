"""GET /requests/{id}.pdf: the request letter, read back from the PDF."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.blank_requests.steps import act, create, kotim_population
from tests.helpers import ok, refused


def test_the_request_letter_is_an_a4_pdf_in_indonesian_with_the_figures_that_justify_it(world):
    api = world
    kotim_population(api)
    request_id = ok(create(api, quantity=4000, justification="Perekaman massal menjelang pemilu",
                           needed_by="2024-01-31", emergency=True), 201)["id"]  # fmt: skip
    ok(act(api, request_id, "submit", "manager"))

    response = api.get(f"/requests/{request_id}.pdf", as_="province_manager")

    assert response.status_code == 200 and response.content_type == "application/pdf"
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4
    text = " ".join(page.extract_text().split())
    for expected in (
        "KAB. KOTAWARINGIN TIMUR",
        f"SPB/62.02/{request_id}/",
        "Permintaan blangko KTP-el",
        "Kalimantan Tengah (62)",
        "sebanyak 4.000 keping",
        "31 Januari 2024",
        "Segera",
        "Penduduk belum rekam 2.496",
        "Perekaman massal menjelang pemilu",
        "NIP.",
    ):
        assert expected in text, (expected, text)
    refused(api.get(f"/requests/{request_id}.pdf", as_="kobar_manager"), 403, "outside_area")
    refused(api.get("/requests/424242.pdf", as_="admin"), 404, "request_not_found")
