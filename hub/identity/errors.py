from hub.errors import Forbidden, HubError, Unauthenticated, ValidationFailed


class InvalidToken(Unauthenticated):
    code = "invalid_token"
    message = "The bearer token is malformed or unknown."


class TokenExpired(Unauthenticated):
    code = "token_expired"
    message = "The bearer token has expired."


class TokenRevoked(Unauthenticated):
    code = "token_revoked"
    message = "The bearer token has been revoked."


class AccountLocked(Unauthenticated):
    code = "account_locked"
    message = "The account behind this token is locked after repeated failed sign-ins; try again later."


class PartnershipAwaitingApproval(Forbidden):
    code = "partnership_not_approved"
    message = ("The police department has not approved your organisation's partnership: "
               "nothing but the review's outcome is available until it does.")


class InsufficientScope(Forbidden):
    code = "insufficient_scope"
    message = "The token does not carry the scope this needs."


class IdentityInvalid(ValidationFailed):
    code = "identity_invalid"


class SecondFactorInvalid(HubError):
    status = 400
    code = "second_factor_invalid"
    message = "That code is not valid."
