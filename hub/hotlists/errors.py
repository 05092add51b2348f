from hub.errors import NotFound, ValidationFailed


class HotlistEntryInvalid(ValidationFailed):
    code = "hotlist_entry_invalid"


class HotFileInvalid(ValidationFailed):
    code = "hot_file_invalid"
    message = "The hot file was refused; the current list is unchanged."


class HotlistEntryNotFound(NotFound):
    code = "hotlist_entry_not_found"
    message = "No such hotlist entry."
