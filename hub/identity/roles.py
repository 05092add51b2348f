"""The roles of DESIGN.md section 1, which organisations may hold them, and
what each may do in the hub. Capabilities are the words views check; the law
itself (training, written authorisation) is the policy engine's to decide."""
from __future__ import annotations

import enum


class OrganisationKind(str, enum.Enum):
    AGENCY = "agency"
    HOA = "hoa"
    BUSINESS = "business"
    OUTSIDE_AGENCY = "outside_agency"  # another law-enforcement or prosecutorial agency
    OUTSIDE_BODY = "outside_body"  # any other body asking for data: its requests go to records staff

    @property
    def is_partner(self) -> bool:
        return self in (OrganisationKind.HOA, OrganisationKind.BUSINESS)

    @property
    def is_outside(self) -> bool:
        """A body outside the agency that may ask it for data in writing."""
        return self in (OrganisationKind.OUTSIDE_AGENCY, OrganisationKind.OUTSIDE_BODY)


class OrganisationStatus(str, enum.Enum):
    """A partner that signs up waits for the agency's approval; agencies are
    approved when the hub is set up."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Role(str, enum.Enum):
    PARTNER_ADMIN = "partner_admin"
    OFFICER = "officer"
    ALPR_ADMIN = "alpr_admin"
    CHIEF = "chief"
    RECORDS = "records"
    AGENCY_REQUESTER = "agency_requester"
    AUDITOR = "auditor"
    HUB_ADMIN = "hub_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def requires_second_factor(self) -> bool:
        return self in SECOND_FACTOR_ROLES

    def allowed_in(self, kind: OrganisationKind) -> bool:
        return kind in ROLE_ORGANISATIONS[self]


ROLE_LABELS = {
    Role.PARTNER_ADMIN: "Partner administrator",
    Role.OFFICER: "Officer",
    Role.ALPR_ADMIN: "ALPR administrator",
    Role.CHIEF: "Chief of police",
    Role.RECORDS: "Records staff",
    Role.AGENCY_REQUESTER: "Outside agency requester",
    Role.AUDITOR: "Auditor",
    Role.HUB_ADMIN: "Hub administrator",
}

SECOND_FACTOR_ROLES = frozenset({Role.CHIEF, Role.ALPR_ADMIN, Role.HUB_ADMIN, Role.AUDITOR})

_AGENCY = frozenset({OrganisationKind.AGENCY})
ROLE_ORGANISATIONS = {
    Role.PARTNER_ADMIN: frozenset({OrganisationKind.HOA, OrganisationKind.BUSINESS}),
    Role.OFFICER: _AGENCY,
    Role.ALPR_ADMIN: _AGENCY,
    Role.CHIEF: _AGENCY,
    Role.RECORDS: _AGENCY,
    Role.AGENCY_REQUESTER: frozenset({OrganisationKind.OUTSIDE_AGENCY, OrganisationKind.OUTSIDE_BODY}),
    Role.AUDITOR: _AGENCY,
    Role.HUB_ADMIN: _AGENCY,
}


class Capability(str, enum.Enum):
    """What a role may do; each grows a page or an API route. Which cameras
    or organisations a capability reaches is decided by the domain (a partner
    administrator manages only its own organisation's cameras)."""

    MANAGE_USERS = "users.manage"
    MANAGE_SETTINGS = "settings.manage"
    RECORD_TRAINING = "training.record"
    AUTHORISE_OFFICERS = "officers.authorise"
    READ_LEDGER = "ledger.read"
    USE_API_TOKENS = "tokens.use"
    APPROVE_PARTNERS = "partners.approve"
    INVITE_PARTNER_ADMINS = "partners.invite"
    VIEW_CAMERAS = "cameras.view"
    MANAGE_CAMERAS = "cameras.manage"
    RECORD_BCA_NOTICES = "cameras.bca_notice"
    VIEW_ACCESS_LOG = "cameras.access_log"
    MANAGE_SAFE_AT_HOME = "safe_at_home.manage"
    MANAGE_HOLDS = "holds.manage"
    MANAGE_EXCULPATORY_HOLDS = "holds.exculpatory"
    MANAGE_HOTLISTS = "hotlists.manage"
    RECEIVE_ALERTS = "alerts.receive"
    VERIFY_READS = "reads.verify"
    SEARCH_READS = "reads.search"
    REQUEST_PARTNER_ACCESS = "grants.request"
    APPROVE_ACCESS_REQUESTS = "grants.approve"
    MANAGE_CLIENTS = "clients.manage"
    SUBMIT_DATA_REQUESTS = "requests.submit"
    PREPARE_DATA_REQUESTS = "requests.prepare"
    DECIDE_DATA_REQUESTS = "requests.decide"
    HANDLE_RECORDS_REQUESTS = "requests.records"
    RECORD_SUSPENSION = "suspension.record"
    AUDIT_REPORTS = "audit.reports"


_ALL = frozenset({Capability.USE_API_TOKENS})
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.PARTNER_ADMIN: _ALL | {Capability.INVITE_PARTNER_ADMINS, Capability.VIEW_CAMERAS,
                                Capability.MANAGE_CAMERAS, Capability.VIEW_ACCESS_LOG, Capability.VERIFY_READS},
    Role.OFFICER: _ALL | {Capability.VIEW_CAMERAS, Capability.RECEIVE_ALERTS, Capability.REQUEST_PARTNER_ACCESS,
                          Capability.VERIFY_READS, Capability.SEARCH_READS, Capability.PREPARE_DATA_REQUESTS},
    Role.ALPR_ADMIN: _ALL | {Capability.RECORD_TRAINING, Capability.VIEW_CAMERAS, Capability.MANAGE_CAMERAS,
                             Capability.VERIFY_READS,
                             Capability.RECORD_BCA_NOTICES, Capability.VIEW_ACCESS_LOG, Capability.MANAGE_HOLDS,
                             Capability.MANAGE_HOTLISTS, Capability.RECEIVE_ALERTS, Capability.SEARCH_READS,
                             Capability.PREPARE_DATA_REQUESTS},
    Role.CHIEF: _ALL | {Capability.AUTHORISE_OFFICERS, Capability.RECORD_TRAINING, Capability.READ_LEDGER,
                        Capability.APPROVE_PARTNERS, Capability.VIEW_CAMERAS, Capability.VIEW_ACCESS_LOG,
                        Capability.APPROVE_ACCESS_REQUESTS, Capability.SEARCH_READS,
                        Capability.PREPARE_DATA_REQUESTS, Capability.DECIDE_DATA_REQUESTS,
                        Capability.AUDIT_REPORTS},
    Role.RECORDS: _ALL | {Capability.VIEW_CAMERAS, Capability.MANAGE_SAFE_AT_HOME,
                          Capability.MANAGE_EXCULPATORY_HOLDS, Capability.HANDLE_RECORDS_REQUESTS},
    Role.AGENCY_REQUESTER: _ALL | {Capability.SUBMIT_DATA_REQUESTS},
    Role.AUDITOR: _ALL | {Capability.READ_LEDGER, Capability.VIEW_CAMERAS, Capability.VIEW_ACCESS_LOG,
                          Capability.AUDIT_REPORTS},
    Role.HUB_ADMIN: _ALL | {Capability.MANAGE_USERS, Capability.MANAGE_SETTINGS, Capability.READ_LEDGER,
                            Capability.MANAGE_CLIENTS, Capability.RECORD_SUSPENSION, Capability.AUDIT_REPORTS,
                            Capability.APPROVE_PARTNERS, Capability.VIEW_CAMERAS, Capability.MANAGE_CAMERAS,
                            Capability.RECORD_BCA_NOTICES, Capability.VIEW_ACCESS_LOG,
                            Capability.HANDLE_RECORDS_REQUESTS},
}

# Personal API token scopes: a token carries some of the scopes its owner's
# role allows, never more.
CAPABILITY_SCOPES = {
    Capability.READ_LEDGER: "ledger:read",
    Capability.MANAGE_SETTINGS: "settings:manage",
    Capability.VIEW_CAMERAS: "cameras:read",
    Capability.MANAGE_CAMERAS: "cameras:write",
    Capability.MANAGE_HOTLISTS: "hotlists:write",
    Capability.RECEIVE_ALERTS: "alerts:read",
    Capability.MANAGE_HOLDS: "holds:write",
    Capability.MANAGE_EXCULPATORY_HOLDS: "holds:write",
    Capability.VERIFY_READS: "reads:verify",
    Capability.SEARCH_READS: "reads:search",
    Capability.REQUEST_PARTNER_ACCESS: "grants:request",
    Capability.APPROVE_ACCESS_REQUESTS: "grants:approve",
    Capability.SUBMIT_DATA_REQUESTS: "requests:submit",
}
ROLE_SCOPES: dict[Role, frozenset[str]] = {
    role: frozenset({"profile:read"} | {CAPABILITY_SCOPES[c] for c in caps if c in CAPABILITY_SCOPES})
    for role, caps in ROLE_CAPABILITIES.items()
}
ALL_SCOPES = frozenset().union(*ROLE_SCOPES.values())
