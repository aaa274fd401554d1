"""Requests for blanks (surat permintaan blangko): asked, decided up the office tree, fulfilled by
transfers and deliveries that carry the request's id."""
