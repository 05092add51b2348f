"""Every action the ledger records, in words a person uses: one table, read
by the pages, the CSV downloads and the API, and offered as the choices of
the access log's filter. A refused attempt reads as "Refused: …"."""
from __future__ import annotations

ACTIONS: dict[str, tuple[str, str]] = {
    # reads and alerts
    "reads.ingested": ("Reads collected", "A camera sent reads; the hub stored the lawful ones."),
    "reads.destroyed_at_collection": ("Reads dropped at collection", "Reads of a Safe at Home plate were destroyed as they arrived."),
    "reads.unverified_listed": ("Unconfirmed reads listed", "Reads the hub could not read with confidence were shown for checking."),
    "reads.searched": ("Search", "A reasoned search over the cameras the user may see, with its reason and case."),
    "reads.exported": ("Search results exported", "Results of a search were exported (CSV or evidence sheet)."),
    "read.confirmed": ("A read's plate confirmed", "A person confirmed or corrected the plate read from an image."),
    "partner.data_viewed": ("Partner looked at its data", "A partner's administrator looked at what the hub holds of its cameras."),
    "partner.data_exported": ("Partner exported its data", "A partner's administrator exported its cameras' reads and access log, with proofs."),
    "partner.left": ("Partner left the network", "Grants revoked, shares ended, credentials revoked, reads and keys destroyed except what holds keep; the receipt names each entry."),
    "partner.terms_accepted": ("New terms accepted", "A partner's administrator accepted a new version of the data-sharing terms."),
    "keys.data_key_created": ("Data key made for a day", "The hub made the key that seals an organisation's reads of a day."),
    "keys.destroyed": ("Data keys destroyed", "Keys of days with nothing left were destroyed: those days cannot be read from any copy."),
    "keys.rewrapped": ("Data keys re-wrapped", "Data keys were wrapped under the new key-encryption key."),
    "alerts.raised": ("Hotlist hit raised an alert", "A read matched a hotlist entry the rules allow it to be compared with."),
    "alerts.possible_raised": ("Possible hotlist hit raised an alert", "A read differs from a listed plate only in characters plates print alike: the image must be checked."),
    "alerts.delivered": ("Alerts shown to an officer", "New alerts were shown on an officer's board."),
    "alert.viewed": ("Alert opened", "An officer opened an alert."),
    "alert.verified": ("Alert checked and verified", "The officer checked the hit against its source, item by item."),
    "alert.rejected": ("Alert checked and rejected", "The officer found the hit misread or no longer current."),
    "alert.shared_by_webhook": ("Alert sent to the dispatch system", "An alert was delivered to the agency's configured system."),
    "alert.webhook_withheld": ("Alert withheld from the dispatch system", "The camera no longer shares alerts, so the delivery was cancelled."),
    # partner access
    "grant.requested": ("Access requested", "An officer asked a partner for time-limited access, for a case."),
    "grant.request_approved": ("Request approved by the chief", "The chief approved the request with a written finding."),
    "grant.request_denied": ("Request denied by the chief", "The chief denied the request with a written finding."),
    "grant.consent_link_prepared": ("Request sent for the partner's decision", "The agency's client handed over the consent link."),
    "grant.requests_awaiting_link_listed": ("Approved requests fetched by the agency's client", "The agency's system looked for requests to carry to partners."),
    "grant.consented": ("Access granted", "The partner granted all or part of what was asked."),
    "grant.declined": ("Access declined", "The partner declined the request."),
    "grant.token_issued": ("Access token issued", "The agency's client received a token for the grant."),
    "grant.code_reused": ("Authorization code used twice: tokens revoked", "A second redemption revoked what the code had produced."),
    "grant.reads_accessed": ("Reads viewed under a grant", "Reads of the granted cameras and window were read."),
    "grant.revoked": ("Grant revoked", "The grant ended before its time; its tokens stopped at once."),
    "grant.expired": ("Grant expired", "The grant's time ran out; its tokens stopped."),
    "oauth.request.refused": ("OAuth request refused", "The hub refused a request to its OAuth endpoints."),
    "oauth_client.created": ("OAuth client registered", "An agency's system or a neighbouring hub was registered."),
    "oauth_client.redirects_changed": ("OAuth client's redirects changed", "The client's registered redirect addresses changed."),
    # cameras
    "camera.registered": ("Camera registered", "A camera joined the registry."),
    "camera.updated": ("Camera details changed", "A camera's details or location changed."),
    "camera.retired": ("Camera retired", "A camera stopped collecting; its history stays."),
    "camera.sharing_mode_changed": ("Sharing changed", "The owner changed how the police may see the camera."),
    "camera.credential_issued": ("Ingest credential issued", "The camera received a new credential to send reads."),
    "camera.credential_revoked": ("Ingest credential revoked", "The camera's credential stopped working."),
    "camera.bca_notice_sent": ("BCA notice sent", "The Bureau of Criminal Apprehension was told of the reader."),
    "camera.bca_reminder_sent": ("BCA notice reminder", "The department was reminded of notices due or overdue."),
    # hotlists, holds, retention, Safe at Home
    "hotlist.entry_added": ("Hotlist entry added", "An ALPR administrator listed a plate, with its reason and case."),
    "hotlist.entry_removed": ("Hotlist entry removed", "A listing was removed as no longer justified."),
    "hotlist.imported": ("State hot file imported", "The state/NCIC hot file replaced the previous batch."),
    "hold.created": ("Hold placed", "Reads are kept past retention for an investigation or a written request."),
    "hold.viewed": ("Hold opened", "A hold, with its plate and case, was opened."),
    "holds.listed": ("Holds listed", "The list of holds was opened."),
    "hold.reviewed": ("Hold reviewed", "The hold was found still needed until its next review."),
    "hold.released": ("Hold released", "The hold ended; its reads went back under retention."),
    "retention.reads_destroyed": ("Reads destroyed on time", "Reads past their retention limit were destroyed."),
    "retention.purge_run": ("Retention purge finished", "A run of the retention purge finished, with its counts."),
    "retention.purge_previewed": ("Retention purge previewed", "What a purge would destroy was counted."),
    "retention.destruction_record_viewed": ("Destruction record opened", "The per-day record of destruction was opened."),
    "safe_at_home.request_recorded": ("Safe at Home request recorded", "A participant's plate is no longer kept."),
    "log_of_use.aggregated": ("Log of use computed", "A day's public log of use was computed from the records."),
    "ledger.key_rotated": ("Ledger signing key rotated", "A new key signs checkpoints; the old one stays listed to verify."),
    "ledger.checkpoint_kept": ("Checkpoint kept for a partner", "A signed checkpoint shown to a partner was kept for its records."),
    "ledger.witness_trusted": ("Witness trusted", "A witness's key was added to those that cosign this ledger."),
    "ledger.witness_log_followed": ("Another hub's ledger followed", "This hub witnesses another hub's ledger."),
    "ledger.witness_cosigned": ("Checkpoint cosigned as a witness", "This hub cosigned another hub's checkpoint."),
    "ledger.cosignature_received": ("Cosignature received", "A witness cosigned one of this ledger's checkpoints."),
    "ledger.browsed": ("Ledger read", "Entries of the ledger were listed for an auditor."),
    "ledger.verified": ("Ledger verified", "The whole ledger was verified on request."),
    "ledger.private_details_erased": ("Private details erased", "Plates named in earlier entries were erased; the entries still verify."),
    # people, organisations, settings
    "login.succeeded": ("Signed in", "A person signed in."),
    "login.failed": ("Sign-in failed", "A sign-in failed."),
    "login.refused_locked": ("Sign-in refused: account locked", "Too many failures locked the account for a while."),
    "logout": ("Signed out", "A person signed out."),
    "second_factor.enrolled": ("Second factor set up", "A person set up an authenticator."),
    "second_factor.recovery_code_used": ("Recovery code used", "A person signed in with a one-time recovery code."),
    "training.recorded": ("Training recorded", "A person's ALPR training and policy acknowledgement was recorded."),
    "authorisation.granted": ("Written authorisation filed", "The chief's written authorisation to reach ALPR data was filed."),
    "authorisation.withdrawn": ("Written authorisation withdrawn", "The authorisation was withdrawn."),
    "api_token.created": ("API token created", "A personal API token was made."),
    "api_token.revoked": ("API token revoked", "A personal API token stopped working."),
    "organisation.created": ("Organisation created", "An organisation joined the hub."),
    "user.created": ("Account created", "An account was made."),
    "user.role_changed": ("Role changed", "An account's role changed."),
    "user.deactivated": ("Account deactivated", "An account was turned off."),
    "user.activated": ("Account activated", "An account was turned on again."),
    "partner.signed_up": ("Partner signed up", "An HOA or business applied to join."),
    "partner.approved": ("Partnership approved", "The department approved the partnership."),
    "partner.declined": ("Partnership declined", "The department declined the partnership."),
    "partner.invited": ("Colleague invited", "A partner invited another administrator."),
    "partner.invitation_accepted": ("Invitation accepted", "An invited administrator joined."),
    "setting.changed": ("Setting changed", "A hub setting changed."),
    "rate_limit.exceeded": ("Too many failed attempts", "An address passed the limit of failed attempts."),
    "authentication.failed": ("Authentication failed", "A request presented credentials the hub refused."),
    "failures.summarised": ("Repeated failures counted", "Failures of one kind in a window, counted in one entry."),
}

# What was tried, for the entries that record a refused attempt ("….refused").
ATTEMPTS: dict[str, str] = {
    "data.access": "reaching ALPR data", "read.collect": "collecting a read", "alert.view": "opening an alert",
    "alert.decide": "deciding an alert", "alert.act": "acting on a hit", "api_token.create": "creating an API token",
    "api_token.revoke": "revoking an API token", "authorisation.grant": "filing a written authorisation",
    "authorisation.withdraw": "withdrawing a written authorisation", "camera.access_log": "opening a camera's access log",
    "camera.bca_notice": "recording a BCA notice", "camera.credential_issue": "issuing an ingest credential",
    "camera.credential_revoke": "revoking an ingest credential", "camera.register": "registering a camera",
    "camera.retire": "retiring a camera", "camera.sharing_mode": "changing a camera's sharing",
    "camera.update": "changing a camera", "camera.view": "opening a camera",
    "grant.consent": "consenting to a request", "grant.consent_link": "handing a consent link",
    "grant.reads_access": "reading under a grant", "grant.request": "asking for partner access",
    "grant.request_decision": "deciding an access request", "grant.request_view": "opening an access request",
    "reads.search": "searching reads", "reads.export": "exporting search results", "data.search": "searching reads",
    "grant.revoke": "revoking a grant", "hold.view": "opening a hold", "hold.list": "listing holds",
    "hold.create": "placing a hold", "hold.release": "releasing a hold", "hold.review": "reviewing a hold",
    "hotlist.enter": "changing a hotlist", "hotlist.import": "importing a hot file",
    "oauth.authorize": "an OAuth authorisation", "oauth.request": "an OAuth request",
    "oauth_client.create": "registering an OAuth client", "oauth_client.redirects": "changing a client's redirects",
    "organisation.create": "creating an organisation", "partner.decision": "deciding a partnership",
    "partner.invite": "inviting a colleague", "partner.terms_accept": "accepting the terms",
    "partner.data_view": "looking at a partner's data", "partner.export": "exporting a partner's data",
    "partner.leave": "taking a partner out of the network",
    "retention.destruction_record": "opening the destruction record",
    "safe_at_home.request": "recording a Safe at Home request", "safe_at_home.list": "listing Safe at Home requests",
    "safe_at_home.record": "recording a Safe at Home request", "setting.change": "changing a setting",
    "training.record": "recording training", "user.activation": "turning an account on or off",
    "user.create": "creating an account", "user.role_change": "changing a role",
}


def label(action: str) -> str:
    """The action in plain words; a refused attempt as 'Refused: …'."""
    if action in ACTIONS:
        return ACTIONS[action][0]
    if action.endswith(".refused"):
        tried = action[:-len(".refused")]
        return f"Refused: {ATTEMPTS.get(tried) or label(tried).lower()}"
    return action.replace(".", ": ").replace("_", " ").capitalize()


def description(action: str) -> str:
    return ACTIONS.get(action, ("", ""))[1]


def choices() -> list[tuple[str, str]]:
    """For a filter: every action, by its words."""
    return sorted(((code, words) for code, (words, _) in ACTIONS.items()), key=lambda pair: pair[1])
