"""Signing in: passwords with lockout, the TOTP second factor, recovery codes.

Outcomes are returned, not raised: a failed attempt changes state (the
failure count, the lock) and is ledgered, and that must commit even though
the person is turned away. Failed passwords are ledgered per window
(`hub.ratelimit.failures`): anyone can repeat them, and a flood of them must
not flood the ledger; the lock of an account is always an entry of its own."""
from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
from flask import current_app
from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.identity.errors import SecondFactorInvalid
from hub.identity.models import RecoveryCode, User
from hub.identity.passwords import hash_secret, verify_secret
from hub.identity.services import find_user
from hub.ledger.services import record
from hub.ratelimit.failures import record_failure

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class Outcome(str, enum.Enum):
    SIGNED_IN = "signed_in"
    NEEDS_SECOND_FACTOR = "needs_second_factor"
    NEEDS_ENROLMENT = "needs_enrolment"
    REFUSED = "refused"


@dataclass
class LoginResult:
    outcome: Outcome
    user: User | None = None
    message: str = ""


@dataclass
class Enrolment:
    secret: str
    uri: str
    recovery_codes: list[str] = field(default_factory=list)


def safe_next_path(target: str | None) -> str | None:
    """Where to send a person after signing in, when `target` is a path on
    this site; None for anything a browser could take elsewhere. Browsers
    drop tabs and line breaks inside a URL, strip leading and trailing
    control characters and spaces, and read a backslash as a slash, so a
    slash, a tab and a slash (`/%09/evil.example`) or a slash and a backslash
    become `//evil.example`, another site: a target holding any control
    character or backslash is refused outright, never cleaned."""
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in target):
        return None
    if target != target.strip() or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _lock_policy() -> tuple[int, timedelta]:
    config = current_app.config
    return config["LOGIN_LOCK_THRESHOLD"], timedelta(minutes=config["LOGIN_LOCK_MINUTES"])


def _register_failure(user: User, what: str) -> str:
    threshold, lock_for = _lock_policy()
    user.failed_logins += 1
    details = {"failed_logins": user.failed_logins, "factor": what}
    if user.failed_logins >= threshold:
        user.locked_until = utcnow() + lock_for
        user.failed_logins = 0
        details["locked_until"] = user.locked_until.isoformat()
    db.session.flush()
    if "locked_until" in details:
        record("login.failed", actor=None, subject=user, details=details)  # the lock itself is always on record
    else:
        record_failure("login.failed", subject=user, details=details)
    if what == "password":
        return password_refused_message()
    if user.is_locked:
        return f"Too many failed attempts: the account is locked for {int(lock_for.total_seconds() // 60)} minutes."
    return "That code is not valid. A code works once: if you just used it, wait for the next one."


def password_refused_message() -> str:
    """The one answer to every refused username and password: an unknown
    name, a wrong password and a locked account read the same, so the form
    tells nobody which accounts exist or are locked."""
    threshold, lock_for = _lock_policy()
    return (f"Wrong username or password. After {threshold} failed attempts in a row an account is locked "
            f"for {int(lock_for.total_seconds() // 60)} minutes.")


def attempt_password(username: str, password: str, *, remote_addr: str | None = None) -> LoginResult:
    """Every refusal takes one password hash and gives the same message, so
    neither the answer nor its timing tells an unknown or locked account
    from a wrong password."""
    user = find_user(username or "")
    if user is None or not user.active:
        verify_secret(_decoy_hash(), password or "")
        record_failure("login.failed", details={"factor": "password", "remote_addr": remote_addr},
                       private={"username": (username or "")[:80]})
        return LoginResult(Outcome.REFUSED, message=password_refused_message())
    if user.is_locked:
        verify_secret(user.password_hash, password or "")
        record_failure("login.refused_locked", subject=user, details={"remote_addr": remote_addr})
        return LoginResult(Outcome.REFUSED, user, password_refused_message())
    if not verify_secret(user.password_hash, password or ""):
        return LoginResult(Outcome.REFUSED, user, _register_failure(user, "password"))
    if user.has_second_factor:
        return LoginResult(Outcome.NEEDS_SECOND_FACTOR, user)
    if user.role.requires_second_factor:
        return LoginResult(Outcome.NEEDS_ENROLMENT, user)
    return complete_login(user, factor="password", remote_addr=remote_addr)


def complete_login(user: User, *, factor: str, remote_addr: str | None = None) -> LoginResult:
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    record("login.succeeded", actor=user, subject=user, details={"factors": factor, "remote_addr": remote_addr})
    return LoginResult(Outcome.SIGNED_IN, user)


def attempt_second_factor(user: User, code: str, *, remote_addr: str | None = None) -> LoginResult:
    if user.is_locked:
        record("login.refused_locked", actor=None, subject=user, details={"remote_addr": remote_addr})
        return LoginResult(Outcome.REFUSED, user, "The account is locked after repeated failures.")
    code = (code or "").strip().replace(" ", "").lower()
    if _accept_totp(user, code):
        return complete_login(user, factor="password+totp", remote_addr=remote_addr)
    if _accept_recovery_code(user, code):
        return complete_login(user, factor="password+recovery_code", remote_addr=remote_addr)
    return LoginResult(Outcome.REFUSED, user, _register_failure(user, "second_factor"))


def _accept_totp(user: User, code: str) -> bool:
    """A code is good once: replaying the step just used is refused."""
    if not (user.totp_secret and user.totp_confirmed_at and code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = utcnow()
    for offset in (0, -1, 1):
        step = totp.timecode(now) + offset
        if secrets.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    return False


def _accept_recovery_code(user: User, code: str) -> bool:
    if "-" not in code:
        return False
    unused = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                           RecoveryCode.used_at.is_(None)))
    for candidate in unused:
        if verify_secret(candidate.code_hash, code):
            candidate.used_at = utcnow()
            db.session.flush()
            record("second_factor.recovery_code_used", actor=user, subject=user)
            return True
    return False


def begin_enrolment(user: User) -> Enrolment:
    """A fresh secret, kept unconfirmed until the person proves they hold it."""
    if user.has_second_factor:
        raise SecondFactorInvalid("A second factor is already enrolled.")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.session.flush()
    issuer = current_app.config["HUB_NAME"]
    return Enrolment(user.totp_secret, pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=issuer))


def confirm_enrolment(user: User, code: str) -> Enrolment:
    if user.has_second_factor or not user.totp_secret:
        raise SecondFactorInvalid("Start the enrolment again.")
    totp = pyotp.TOTP(user.totp_secret)
    if not totp.verify((code or "").strip(), for_time=utcnow(), valid_window=1):
        raise SecondFactorInvalid("That code does not match; check the time on your device and try again.")
    user.totp_confirmed_at = utcnow()
    user.totp_last_step = totp.timecode(utcnow())
    codes = _new_recovery_codes(user)
    db.session.flush()
    record("second_factor.enrolled", actor=user, subject=user, details={"recovery_codes": len(codes)})
    return Enrolment(user.totp_secret, "", codes)


def _new_recovery_codes(user: User) -> list[str]:
    for old in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_secret(code)))
    return codes


_DECOY: dict[str, str] = {}


def _decoy_hash() -> str:
    """A hash to verify against when the username is unknown, so the answer
    takes as long as for a real account."""
    profile = current_app.config["PASSWORD_HASH_PROFILE"]
    if profile not in _DECOY:
        _DECOY[profile] = hash_secret(secrets.token_urlsafe(16))
    return _DECOY[profile]
