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


class InsufficientScope(Forbidden):
    code = "insufficient_scope"
    message = "The token does not carry the scope this needs."


class IdentityInvalid(ValidationFailed):
    code = "identity_invalid"


class SecondFactorInvalid(HubError):
    status = 400
    code = "second_factor_invalid"
    message = "That code is not valid."
