"""Which cameras' reads an actor may see, for which purpose, at this moment
(DESIGN.md 4a). Every path that returns reads, images, alerts, counts
derived from reads, exports or webhook payloads asks `scope_for` and filters
with the answer, so who sees what is decided here and nowhere else:

- the agency's own cameras, for every purpose of its law-enforcement staff;
- partner cameras in `shared` mode, for searches, verification and alerts;
- partner cameras in `alerts_only` mode, for hotlist hits only;
- cameras under a live grant, for that grant's officer (or the agency's
  client reading for that officer), inside the grant's data window;
- low-confidence reads of cameras that do not share their reads wait for
  their owner or the agency's ALPR administrator;
- a partner's own cameras, for its own view and export of what the hub
  holds of them;
- nothing else, and nothing at all for anyone not listed;
- while the commissioner's suspension order stands, no search and no grant.

Plates and images are stored sealed under their owner's data keys; the
only door to them is `Scope.open` (and `Scope.image`), which opens a row
only when it is in the scope asked for.

The answer is read from the database on every call: a change of sharing
mode or a revoked grant takes effect on the very next request."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, or_, select

from hub.cameras.models import Camera, CameraStatus, SharingMode
from hub.clock import utcnow
from hub.db import among
from hub.extensions import db
from hub.identity.access import LAW_ENFORCEMENT_ROLES, require_data_access
from hub.identity.actors import ClientActor, SystemActor
from hub.identity.models import Organisation, User
from hub.identity.roles import OrganisationKind, Role
from hub.suspension.services import Activity, require_use


class Purpose(str, enum.Enum):
    SEARCH = "search"  # searches, exports and counts over reads
    ALERTS = "alerts"  # hotlist hits: the alert board, an alert, its webhook
    VERIFY = "verify"  # confirming a plate the hub could not read with confidence
    GRANT = "grant"  # a partner's time-limited grant
    OWNER = "owner"  # a partner's own view and export of its cameras' data


class OutOfScope(RuntimeError):
    """A row was handed to `Scope.open` that the scope does not include."""


# The purposes a suspension order of the commissioner stops (13.824 subd. 6).
SUSPENDED_BY_ORDER = {Purpose.SEARCH: Activity.SEARCH, Purpose.GRANT: Activity.GRANT}


# Named system jobs and the purposes they serve: the webhook sender passes
# on alerts, nothing more.
SYSTEM_PURPOSES = {"webhooks": frozenset({Purpose.ALERTS})}


@dataclass(frozen=True)
class Scope:
    """Cameras whose reads are in scope for their whole retention, and
    cameras in scope only inside a time window (a grant's)."""

    cameras: frozenset[int] = frozenset()
    windows: tuple[tuple[int, datetime, datetime], ...] = field(default=())

    @property
    def camera_ids(self) -> frozenset[int]:
        return self.cameras | {camera_id for camera_id, _, _ in self.windows}

    @property
    def empty(self) -> bool:
        return not self.cameras and not self.windows

    def includes(self, camera_id: int, captured_at: datetime) -> bool:
        """Whether one read (or what derives from it) is in scope: its camera,
        and its time when the camera is in scope only inside a window."""
        if camera_id in self.cameras:
            return True
        return any(camera_id == c and start <= captured_at <= end for c, start, end in self.windows)

    def open(self, rows):
        """The rows (reads or alerts) with their plates in clear, once each is
        found in this scope; a row outside it is a programming error, refused."""
        from hub.keys.services import open_plates

        rows = list(rows)
        outside = [row for row in rows if not self.includes(row.camera_id, row.captured_at)]
        if outside:
            raise OutOfScope(f"{len(outside)} row(s) outside the scope were asked to be opened")
        return open_plates(rows)

    def plates(self, rows) -> list[str]:
        """The plates of light rows (id, camera_id, captured_at, key_id,
        plate_sealed), in order, when every one is in this scope."""
        from hub.keys.services import plate_texts

        if any(not self.includes(row.camera_id, row.captured_at) for row in rows):
            raise OutOfScope("rows outside the scope were asked to be opened")
        return plate_texts(rows)

    def image(self, row, digest: str) -> bytes:
        """One of a row's images, decrypted, when the row is in scope."""
        from hub.keys.services import handles
        from hub.reads import images

        if not self.includes(row.camera_id, row.captured_at):
            raise OutOfScope("an image outside the scope was asked for")
        return images.get(digest, handles({row.key_id})[row.key_id])

    def images(self, wanted: list) -> dict[str, bytes]:
        """Many of rows' images at once, decrypted, by name: `wanted` is
        (row, name) pairs, every row in scope (a release package's images)."""
        from hub.keys.services import handles
        from hub.reads import images

        if any(not self.includes(row.camera_id, row.captured_at) for row, _ in wanted):
            raise OutOfScope("images outside the scope were asked for")
        keys = handles({row.key_id for row, _ in wanted})
        return images.get_many([(digest, keys[row.key_id]) for row, digest in wanted])

    def clause(self, camera_column, time_column):
        """A WHERE clause keeping only rows in scope."""
        parts = []
        if self.cameras:
            parts.append(among(camera_column, sorted(self.cameras)))
        parts += [and_(camera_column == c, time_column >= start, time_column <= end)
                  for c, start, end in self.windows]
        return or_(*parts) if parts else false()


NOTHING = Scope()


def _camera_ids(*conditions) -> frozenset[int]:
    return frozenset(db.session.scalars(select(Camera.id).join(Organisation, Organisation.id == Camera.organisation_id)
                                        .where(*conditions)))


def _agency_scope(purpose: Purpose, role: Role) -> frozenset[int]:
    own = Organisation.kind == OrganisationKind.AGENCY
    partner_active = and_(Organisation.kind != OrganisationKind.AGENCY, Camera.status == CameraStatus.ACTIVE)
    if purpose is Purpose.ALERTS:
        modes = [SharingMode.SHARED, SharingMode.ALERTS_ONLY]
    elif purpose is Purpose.VERIFY and role is Role.ALPR_ADMIN:
        return _camera_ids()
    else:
        modes = [SharingMode.SHARED]
    return _camera_ids(or_(own, and_(partner_active, Camera.sharing_mode.in_(modes))))


def _grant_windows(officer: User, *, grant=None, client_id: str | None = None,
                   case_number: str | None = None) -> tuple:
    from hub.grants.models import AccessRequest, Grant

    now = utcnow()
    query = (select(Grant).join(AccessRequest, AccessRequest.id == Grant.request_id)
             .where(AccessRequest.officer_id == officer.id, Grant.revoked_at.is_(None), Grant.expires_at > now))
    if grant is not None:
        query = query.where(Grant.id == grant.id)
    if client_id is not None:
        query = query.where(Grant.client_id == client_id)
    if case_number is not None:
        query = query.where(AccessRequest.case_number == case_number.strip())
    live_cameras = _camera_ids(Camera.status == CameraStatus.ACTIVE)
    return tuple((camera_id, g.window_start, g.window_end) for g in db.session.scalars(query)
                 for camera_id in g.cameras if camera_id in live_cameras)


def scope_for(actor: Any, purpose: Purpose, *, grant=None, case_number: str | None = None) -> Scope:
    """The reads `actor` may see for `purpose` now. A user of the agency must
    also pass the data-access rules (training, written authorisation, role):
    that check runs here first and refuses, on record, when it fails. With a
    `case_number`, a search reaches grant cameras only under grants made for
    that case: a grant is the partner's consent for one investigation."""
    if isinstance(actor, ClientActor):
        if purpose is not Purpose.GRANT or grant is None:
            return NOTHING
        require_data_access(actor.officer, subject=grant)
        require_use(actor, Activity.GRANT, subject=grant)
        return Scope(windows=_grant_windows(actor.officer, grant=grant, client_id=actor.client_id))
    if isinstance(actor, SystemActor):
        if purpose not in SYSTEM_PURPOSES.get(actor.name, ()):
            return NOTHING
        return Scope(cameras=_agency_scope(purpose, Role.OFFICER))
    if not isinstance(actor, User) or not actor.is_authenticated or not actor.is_active:
        return NOTHING
    if actor.role is Role.PARTNER_ADMIN:
        if purpose not in (Purpose.VERIFY, Purpose.OWNER) or not actor.organisation.is_approved:
            return NOTHING
        return Scope(cameras=_camera_ids(Camera.organisation_id == actor.organisation_id))
    if actor.role not in LAW_ENFORCEMENT_ROLES or actor.organisation.kind is not OrganisationKind.AGENCY:
        return NOTHING
    if purpose is Purpose.OWNER:
        return NOTHING  # the agency reaches its own cameras' reads by reasoned search
    require_data_access(actor, subject=grant)
    if purpose in SUSPENDED_BY_ORDER:
        require_use(actor, SUSPENDED_BY_ORDER[purpose], subject=grant)
    if purpose is Purpose.GRANT:
        return Scope(windows=_grant_windows(actor, grant=grant)) if grant is not None else NOTHING
    windows = _grant_windows(actor, case_number=case_number) if purpose is Purpose.SEARCH else ()
    return Scope(cameras=_agency_scope(purpose, actor.role), windows=windows)
