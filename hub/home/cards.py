"""The cards on a home page, chosen by role and capability. A card appears
only for what works today; later capabilities add their own cards here."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from hub.audit import services as audit
from hub.cameras import bca
from hub.grants import requests
from hub.identity import access
from hub.identity.models import User
from hub.identity.permissions import can
from hub.identity.roles import Capability, OrganisationKind
from hub.retention import services as retention
from hub.scheduler.jobs import FAILED, last_runs
from hub.settings.services import current_settings
from hub.suspension import services as suspension
from partners import services as partner_services


@dataclass
class Card:
    title: str
    text: str
    link: str | None = None
    link_text: str | None = None
    reasons: list | None = None


def cards_for(user: User) -> list[Card]:
    cards = _partnership_cards(user) + _alert_cards(user) + _camera_cards(user)
    if user.organisation.kind is OrganisationKind.AGENCY:
        decision = access.data_access_decision(user)
        cards.append(Card("Access to ALPR data",
                          "You may reach ALPR data now." if decision.allowed
                          else "You may not reach ALPR data now:", reasons=decision.reasons))
    if user.organisation.kind is OrganisationKind.OUTSIDE_AGENCY:
        cards.append(_written_request_card())
    if can(user, Capability.MANAGE_USERS):
        cards.append(Card("Users and roles", "Create accounts, change roles, deactivate users.",
                          url_for("identity.users"), "Manage users"))
    if can(user, Capability.MANAGE_SETTINGS):
        cards.append(Card("Settings", "The hub's name, contact and public notice.",
                          url_for("settings.index"), "Open settings"))
    if can(user, Capability.AUTHORISE_OFFICERS) or can(user, Capability.RECORD_TRAINING):
        cards.append(Card("Officers", "Record training and file the chief's written authorisations.",
                          url_for("identity.users"), "Open the user list"))
    if can(user, Capability.AUDIT_REPORTS) and user.organisation.kind is OrganisationKind.AGENCY:
        late = audit.overdue()
        cards.append(Card("Biennial audit", f"{len(late)} sending(s) of the audit report overdue." if late else
                          "Issue the audit report for a period and record each sending.", url_for("audit.index"),
                          "Open audit reports", reasons=[_Note(f"Report {o.report.id}", f"due {o.report.due_on}, "
                                                               f"not sent to {o.recipient}") for o in late]))
    if can(user, Capability.RECORD_SUSPENSION):
        order = suspension.current_order()
        cards.append(Card("Suspension order", f"The readers' use is suspended by order {order.reference}."
                          if order else "No suspension order is in force.", url_for("suspension.index"),
                          "Open the order"))
    if can(user, Capability.READ_LEDGER):
        cards.append(Card("Audit ledger", "Every entry, the latest signed checkpoint, verification on request, "
                          "and proofs that an entry is in the ledger.", url_for("ledger.browse_page"),
                          "Open the ledger"))
    if not user.has_second_factor:
        cards.append(Card("Second factor", "Protect your account with an authenticator app.",
                          url_for("identity.enrol"), "Set up"))
    cards.append(Card("API tokens", "Tokens for scripts that use the hub's API.",
                      url_for("identity.account_tokens"), "Manage tokens"))
    return cards


def _written_request_card() -> Card:
    """What an outside agency needs to ask for data: the five elements of a
    written request the department's policy asks for, and who receives it."""
    contact = current_settings().get("contact_email")
    return Card("Asking for ALPR data",
                "The department shares data with another agency only on a written request that names the agency "
                "and the requester, the intended purpose, the factual basis with a case or incident number, and "
                "states that the head of your agency (or a designee) authorised it. The chief reviews it before "
                "anything is released." + (f" Send it to {contact}." if contact else ""),
                url_for("transparency.rules"), "The rules the department follows")


def _partnership_cards(user: User) -> list[Card]:
    organisation = user.organisation
    cards = []  # a partner not (yet) approved sees home/awaiting_approval.html instead
    if can(user, Capability.APPROVE_PARTNERS):
        waiting = len(partner_services.pending_partnerships())
        cards.append(Card("Partnerships", f"{waiting} partnership request(s) waiting for a decision.",
                          url_for("partners.review"), "Review partnerships"))
    if can(user, Capability.INVITE_PARTNER_ADMINS) and organisation.is_approved:
        cards.append(Card("Colleagues", "Invite another administrator for your organisation's cameras.",
                          url_for("partners.invitations"), "Invite a colleague"))
    return cards


def _alert_cards(user: User) -> list[Card]:
    cards = []
    if can(user, Capability.RECEIVE_ALERTS):
        cards.append(Card("Live alerts", "Hotlist hits as cameras report them; verify each against the source.",
                          url_for("alerts.board"), "Open the alert board"))
    if can(user, Capability.MANAGE_HOTLISTS):
        cards.append(Card("Hotlists", "Manual entries and the state hot-file imports.", url_for("hotlists.index"),
                          "Manage hotlists"))
    if can(user, Capability.SEARCH_READS):
        cards.append(Card("Search reads", "Search full or partial plates over the cameras you may see, for a case, "
                          "with a reason and the factual basis.", url_for("search.search_page"), "Search reads"))
    if can(user, Capability.REQUEST_PARTNER_ACCESS):
        cards.append(Card("Partner access", "Ask a partner for time-limited access to its cameras, for a case.",
                          url_for("grants.mine"), "My requests"))
    if can(user, Capability.APPROVE_ACCESS_REQUESTS):
        cards.append(Card("Access requests", f"{len(requests.awaiting_chief())} request(s) waiting for your finding.",
                          url_for("grants.review"), "Review requests"))
    if user.organisation.kind.is_partner:
        cards.append(Card("Messages", "Requests and notices from the police department.",
                          url_for("notifications.index"), "Open messages"))
    if can(user, Capability.READ_LEDGER) and user.organisation.kind is OrganisationKind.AGENCY:
        cards.append(Card("Destruction record", "Per camera and day: reads collected, destroyed and when, and held.",
                          url_for("retention.destruction"), "Open the record"))
    if can(user, Capability.MANAGE_HOLDS) or can(user, Capability.MANAGE_EXCULPATORY_HOLDS):
        overdue = retention.overdue_reviews(user)
        cards.append(Card("Holds and retention", "Holds that keep reads past retention, purge runs and the "
                          "destruction record.", url_for("retention.index"), "Open holds",
                          reasons=[_Note(f"Hold {h.id} (case {h.case_number})", f"review was due {h.review_on}")
                                   for h in overdue]))
    if can(user, Capability.MANAGE_SETTINGS) or can(user, Capability.MANAGE_HOLDS):
        failed = [run for run in last_runs().values() if run.outcome in FAILED]
        cards.append(Card("Scheduled jobs", f"{len(failed)} job(s) failing." if failed else
                          "Every job's last run succeeded (or has not run yet).", url_for("retention.jobs"),
                          "Open the job page", reasons=[_Note(run.job, f"failed at {run.started_at:%Y-%m-%d %H:%M} UTC: {run.error}")
                                   for run in failed]))
    if can(user, Capability.MANAGE_SAFE_AT_HOME):
        cards.append(Card("Safe at Home", "Record a participant's destruction request.",
                          url_for("safe_at_home.index"), "Open requests"))
    return cards


SHOWN = 5  # a card names a few problems and leads to the list for the rest


def _camera_cards(user: User) -> list[Card]:
    cards = []
    if can(user, Capability.VIEW_CAMERAS):
        text = ("Your cameras: choose how the police may see each one, and see every access to it."
                if user.organisation.kind.is_partner else "The registry of city and partner cameras, on a map.")
        cards.append(Card("Cameras", text, url_for("cameras.index"), "Open cameras"))
    if can(user, Capability.MANAGE_CAMERAS) and user.organisation.is_approved:
        cards.append(Card("Register a camera", "Add a camera; it gets its own ingest credential.",
                          url_for("cameras.register"), "Register"))
    if can(user, Capability.RECORD_BCA_NOTICES):
        overdue = bca.outstanding_notices(overdue_only=True)
        outstanding = bca.outstanding_notices()
        cards.append(Card("BCA notices", f"{len(outstanding)} notice(s) not yet sent, {len(overdue)} overdue.",
                          url_for("cameras.bca_notices"), "Open the list",
                          reasons=[_Note(c.name, f"due {c.bca_notice_due_on}, not sent") for c in overdue[:SHOWN]]
                          + ([_Note(f"{len(overdue) - SHOWN} more", "on the list")] if len(overdue) > SHOWN else [])))
    return cards


@dataclass
class _Note:
    """A line shown like a rule's reason on a card: a name and what is wrong."""

    cite: str
    message: str
