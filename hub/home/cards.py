"""The cards on a home page, chosen by role and capability. A card appears
only for what works today; later capabilities add their own cards here."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from hub.identity import access
from hub.identity.models import User
from hub.identity.permissions import can
from hub.identity.roles import Capability, OrganisationKind


@dataclass
class Card:
    title: str
    text: str
    link: str | None = None
    link_text: str | None = None
    reasons: list | None = None


def cards_for(user: User) -> list[Card]:
    cards = []
    if user.organisation.kind is OrganisationKind.AGENCY:
        decision = access.data_access_decision(user)
        cards.append(Card("Access to ALPR data",
                          "You may reach ALPR data now." if decision.allowed
                          else "You may not reach ALPR data now:", reasons=decision.reasons))
    if can(user, Capability.MANAGE_USERS):
        cards.append(Card("Users and roles", "Create accounts, change roles, deactivate users.",
                          url_for("identity.users"), "Manage users"))
    if can(user, Capability.MANAGE_SETTINGS):
        cards.append(Card("Settings", "The hub's name, contact and public notice.",
                          url_for("settings.index"), "Open settings"))
    if can(user, Capability.AUTHORISE_OFFICERS) or can(user, Capability.RECORD_TRAINING):
        cards.append(Card("Officers", "Record training and file the chief's written authorisations.",
                          url_for("identity.users"), "Open the user list"))
    if can(user, Capability.READ_LEDGER):
        cards.append(Card("Audit ledger", "The latest signed checkpoint, and proofs that an entry is in the ledger.",
                          url_for("ledger_api.LatestCheckpoint"), "Latest checkpoint (JSON)"))
    if not user.has_second_factor:
        cards.append(Card("Second factor", "Protect your account with an authenticator app.",
                          url_for("identity.enrol"), "Set up"))
    cards.append(Card("API tokens", "Tokens for scripts that use the hub's API.",
                      url_for("identity.account_tokens"), "Manage tokens"))
    return cards
