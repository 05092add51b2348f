from hub.errors import Conflict, NotFound, ValidationFailed


class SignUpInvalid(ValidationFailed):
    code = "sign_up_invalid"


class PartnershipNotPending(Conflict):
    code = "partnership_not_pending"
    message = "This partnership has already been decided."


class InvitationInvalid(NotFound):
    code = "invitation_invalid"
    message = "This invitation link is not valid: it may have expired or been used already."
