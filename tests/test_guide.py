"""The user guide (docs/guide/) stays whole: every picture it shows exists
(the browser tests take them), no picture is left unused, every page it links
exists, and every role (and the public) has its page."""
import re
from pathlib import Path

from hub.identity.roles import Role

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guide"
ROLE_PAGES = {Role.PARTNER_ADMIN: "partner.md", Role.OFFICER: "officer.md", Role.CHIEF: "chief.md",
              Role.ALPR_ADMIN: "alpr-admin.md", Role.RECORDS: "records.md", Role.AUDITOR: "auditor.md",
              Role.AGENCY_REQUESTER: "agency-requester.md", Role.HUB_ADMIN: "hub-admin.md"}
# The people without a role: the public, on the transparency pages.
PUBLIC_PAGE = "public.md"


def _pages() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in GUIDE.glob("*.md")}


def test_every_picture_the_guide_shows_exists_and_none_is_unused():
    shown = {image for text in _pages().values() for image in re.findall(r"!\[[^\]]+\]\(images/([^)]+)\)", text)}
    assert shown, "the guide shows no pictures"
    on_disk = {p.name for p in (GUIDE / "images").glob("*.png")}
    assert shown - on_disk == set(), "pictures missing: run the browser tests with HUB_GUIDE_SCREENSHOTS=1"
    assert on_disk - shown == set(), "pictures no page shows"


def test_every_role_has_its_page_and_every_link_leads_somewhere():
    pages = _pages()
    assert set(ROLE_PAGES) == set(Role)
    for role, name in [*ROLE_PAGES.items(), ("the public", PUBLIC_PAGE)]:
        assert name in pages and f"]({name})" in pages["index.md"], role
    for name, text in pages.items():
        for target in re.findall(r"\]\(([a-z-]+\.md)\)", text):
            assert target in pages, f"{name} links to {target}"
