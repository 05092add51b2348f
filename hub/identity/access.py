"""Who may touch ALPR data right now: training on record and current, and
the written authorisation of the chief (or a designee, who holds the chief's
role in the hub) for every law-enforcement person who reaches the data:
officers, ALPR administrators, records staff and the chief alike. The policy
engine decides from the facts gathered here (Minn. Stat. 13.824 subd. 7)."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from hub import policy
from hub.clock import utcnow
from hub.extensions import db
from hub.identity.errors import IdentityInvalid
from hub.identity.models import TrainingAcknowledgement, User, WrittenAuthorisation
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability, Role
from hub.ledger.services import record
from policies import Decision
from policies.vocabulary import BOOLEAN

DATA_ACCESS = policy.declare("data.access", {
    "authenticated": BOOLEAN, "role": policy.ROLES, "trained": BOOLEAN, "training_age_days": None,
    "written_authorisation": BOOLEAN})

# The agency's people who reach ALPR data, and so need the written authorisation.
LAW_ENFORCEMENT_ROLES = frozenset({Role.OFFICER, Role.ALPR_ADMIN, Role.CHIEF, Role.RECORDS})


def latest_training(user: User) -> TrainingAcknowledgement | None:
    return db.session.scalars(
        select(TrainingAcknowledgement).where(TrainingAcknowledgement.user_id == user.id)
        .order_by(TrainingAcknowledgement.completed_on.desc()).limit(1)).first()


def current_authorisation(user: User) -> WrittenAuthorisation | None:
    return db.session.scalars(
        select(WrittenAuthorisation).where(WrittenAuthorisation.user_id == user.id,
                                           WrittenAuthorisation.withdrawn_at.is_(None))
        .order_by(WrittenAuthorisation.signed_on.desc()).limit(1)).first()


def record_training(actor: Any, user: User, *, completed_on: date, course: str) -> TrainingAcknowledgement:
    require_capability(actor, Capability.RECORD_TRAINING, action="training.record", subject=user)
    if completed_on > utcnow().date():
        raise IdentityInvalid(errors={"completed_on": ["The training date cannot be in the future."]})
    if not course.strip():
        raise IdentityInvalid(errors={"course": ["Name the course or acknowledgement."]})
    ack = TrainingAcknowledgement(user_id=user.id, completed_on=completed_on, course=course.strip(),
                                  recorded_by_id=getattr(actor, "id", None), recorded_at=utcnow())
    db.session.add(ack)
    db.session.flush()
    record("training.recorded", actor=actor, subject=user,
           details={"completed_on": completed_on.isoformat(), "course": ack.course})
    return ack


def authorise_officer(actor: Any, officer: User, *, text: str, signed_on: date,
                      signed_by: User) -> WrittenAuthorisation:
    """Files the chief's written authorisation of one of the agency's people
    (the chief's own included); `signed_by` is the chief or designee whose
    signature the text carries."""
    require_capability(actor, Capability.AUTHORISE_OFFICERS, action="authorisation.grant", subject=officer)
    errors = {}
    if officer.role not in LAW_ENFORCEMENT_ROLES:
        errors["officer"] = ["Written authorisations are for the agency's officers, ALPR administrators, "
                             "records staff and chief."]
    if signed_by.role is not Role.CHIEF:
        errors["signed_by"] = ["The chief of police or a designee signs the authorisation."]
    if not text.strip():
        errors["text"] = ["Enter the text of the written authorisation."]
    if signed_on > utcnow().date():
        errors["signed_on"] = ["The signing date cannot be in the future."]
    if errors:
        raise IdentityInvalid(errors=errors)
    authorisation = WrittenAuthorisation(user_id=officer.id, text=text.strip(), signed_on=signed_on,
                                         signed_by_id=signed_by.id, recorded_at=utcnow())
    db.session.add(authorisation)
    db.session.flush()
    record("authorisation.granted", actor=actor, subject=officer,
           details={"authorisation_id": authorisation.id, "signed_on": signed_on.isoformat(),
                    "signed_by": signed_by.username})
    return authorisation


def withdraw_authorisation(actor: Any, officer: User, *, reason: str) -> WrittenAuthorisation:
    require_capability(actor, Capability.AUTHORISE_OFFICERS, action="authorisation.withdraw", subject=officer)
    authorisation = current_authorisation(officer)
    if authorisation is None:
        raise IdentityInvalid(errors={"officer": ["No written authorisation is on file."]})
    if not reason.strip():
        raise IdentityInvalid(errors={"reason": ["Say why the authorisation is withdrawn."]})
    authorisation.withdrawn_at = utcnow()
    db.session.flush()
    record("authorisation.withdrawn", actor=actor, subject=officer, purpose=reason.strip(),
           details={"authorisation_id": authorisation.id})
    return authorisation


def access_context(user: Any) -> dict:
    """The facts the engine needs; an actor that is not a signed-in user
    gives none of them, so every rule refuses it."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return {"authenticated": False}
    training = latest_training(user)
    return {
        "authenticated": True,
        "role": user.role.value,
        "trained": training is not None,
        "training_age_days": (utcnow().date() - training.completed_on).days if training else None,
        "written_authorisation": current_authorisation(user) is not None,
    }


def data_access_decision(user: User) -> Decision:
    """What the rules say of the user now, for a page that shows it."""
    return policy.decide(DATA_ACCESS, access_context(user), advisory=True)


def require_data_access(user: Any, *, subject: Any = None) -> Decision:
    """Every path to ALPR data passes here first."""
    return policy.require(DATA_ACCESS, access_context(user), actor=user, subject=subject)
