from hub.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed


class CameraNotFound(NotFound):
    code = "camera_not_found"
    message = "No such camera."


class CameraInvalid(ValidationFailed):
    code = "camera_invalid"


class NotCameraOwner(Forbidden):
    code = "not_camera_owner"
    message = "Only the camera's owner may do this."


class CredentialInvalid(Unauthenticated):
    code = "camera_credential_invalid"
    message = "The camera credential is malformed, unknown or revoked."
