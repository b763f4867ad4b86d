"""Signing in to the staff console with the one-time link from /web."""

from __future__ import annotations


async def test_link_flow_signs_in_and_shows_the_home_page(staff_client) -> None:
    client = await staff_client(role="staff")
    page = await client.get("/staff/")
    assert page.status == 200
    html = await page.text()
    assert "Cán bộ Hai" in html
