from hub.errors import NotFound, ValidationFailed


class AccessRequestInvalid(ValidationFailed):
    code = "access_request_invalid"


class AccessRequestNotFound(NotFound):
    code = "access_request_not_found"
    message = "No such access request."
