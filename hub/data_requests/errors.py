from hub.errors import Conflict, Forbidden, HubError, NotFound, ValidationFailed


class DataRequestInvalid(ValidationFailed):
    """A request that cannot go on as given: each field that is wrong or
    missing is named, in the words of the rule that needs it."""

    code = "data_request_invalid"
    message = "The request cannot go on as given: see the fields named."


class DataRequestNotFound(NotFound):
    code = "data_request_not_found"
    message = "No request of your agency has that number."


class DataRequestConflict(Conflict):
    code = "data_request_status"


class SeparationOfDuties(Forbidden):
    code = "separation_of_duties"
    message = "The person who prepared the search cannot decide the request: another chief or designee decides."


class DownloadRefused(HubError):
    """The link is unknown, used, expired, or not this person's."""

    status = 410
    code = "download_link_unusable"
    message = "This download link no longer works."
