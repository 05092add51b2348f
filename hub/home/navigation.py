"""The header's links, chosen by what the signed-in person's role can do,
in that person's words: every page a role uses is one click from anywhere."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

from hub.identity.models import User
from hub.identity.permissions import can
from hub.identity.roles import Capability, OrganisationKind


@dataclass(frozen=True)
class Link:
    label: str
    endpoint: str
    values: dict | None = None

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **(self.values or {}))

    @property
    def current(self) -> bool:
        return request.endpoint == self.endpoint and (request.view_args or {}) == (self.values or {})


def links_for(user: User) -> list[Link]:
    if not user.is_authenticated or user.awaits_approval:
        return []
    partner = user.organisation.kind.is_partner
    agency = user.organisation.kind is OrganisationKind.AGENCY
    chosen = [Link("Home", "home.index")]
    if can(user, Capability.SEARCH_READS):
        chosen.append(Link("Search reads", "search.search_page"))
    if can(user, Capability.RECEIVE_ALERTS):
        chosen.append(Link("Alerts", "alerts.board"))
    if can(user, Capability.VERIFY_READS):
        chosen.append(Link("Reads to confirm", "reads.unverified"))
    if can(user, Capability.REQUEST_PARTNER_ACCESS):
        chosen.append(Link("My requests", "grants.mine"))
    if can(user, Capability.APPROVE_ACCESS_REQUESTS):
        chosen.append(Link("Requests to decide", "grants.review"))
    if can(user, Capability.SUBMIT_DATA_REQUESTS):
        chosen.append(Link("Data requests", "data_requests.mine"))
    if can(user, Capability.DECIDE_DATA_REQUESTS):
        chosen.append(Link("Data requests to decide", "data_requests.queue", {"queue": "decisions"}))
    elif can(user, Capability.PREPARE_DATA_REQUESTS):
        chosen.append(Link("Data requests to prepare", "data_requests.queue", {"queue": "preparation"}))
    if can(user, Capability.HANDLE_RECORDS_REQUESTS):
        chosen.append(Link("Records requests", "data_requests.queue", {"queue": "records"}))
    if can(user, Capability.VIEW_CAMERAS):
        chosen.append(Link("Your cameras" if partner else "Cameras", "cameras.index"))
    if partner:
        chosen.append(Link("Grants you gave", "partner_grants.index"))
    if partner and user.role.value == "partner_admin":
        chosen.append(Link("Your data", "partner_data.your_data"))
    if can(user, Capability.APPROVE_PARTNERS):
        chosen.append(Link("Partners that left", "partner_data.departed"))
    chosen.append(Link("Messages", "notifications.index"))
    if can(user, Capability.MANAGE_HOTLISTS):
        chosen.append(Link("Hotlists", "hotlists.index"))
    if can(user, Capability.MANAGE_HOLDS) or can(user, Capability.MANAGE_EXCULPATORY_HOLDS):
        chosen.append(Link("Holds", "retention.index"))
    if agency and can(user, Capability.READ_LEDGER):
        chosen += [Link("Audit ledger", "ledger.browse_page"), Link("Destruction record", "retention.destruction")]
    if agency and can(user, Capability.AUDIT_REPORTS):
        chosen.append(Link("Audit reports", "audit.index"))
    if can(user, Capability.MANAGE_SAFE_AT_HOME):
        chosen.append(Link("Safe at Home", "safe_at_home.index"))
    if can(user, Capability.MANAGE_USERS) or can(user, Capability.AUTHORISE_OFFICERS) or \
            can(user, Capability.RECORD_TRAINING):
        chosen.append(Link("People", "identity.users"))
    if can(user, Capability.MANAGE_SETTINGS):
        chosen += [Link("Settings", "settings.index"), Link("Scheduled jobs", "retention.jobs")]
    if can(user, Capability.RECORD_SUSPENSION):
        chosen.append(Link("Suspension order", "suspension.index"))
    chosen.append(Link("API tokens", "identity.account_tokens"))
    return chosen
