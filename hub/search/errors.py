from hub.errors import Conflict, HubError, NotFound


class SearchInvalid(HubError):
    """A search that cannot run as asked: each field that is wrong is named."""

    status = 400
    code = "search_invalid"
    message = "The search cannot run as asked: see the fields named."


class SearchNotFound(NotFound):
    code = "search_not_found"
    message = "No search of yours has that number."


class SearchDetailsErased(Conflict):
    code = "search_details_erased"
    message = "The plate of this search has been lawfully destroyed: the search cannot be exported again."

