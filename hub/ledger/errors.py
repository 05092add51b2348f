from hub.errors import Conflict, HubError, NotFound


class EntryNotFound(NotFound):
    code = "ledger_entry_not_found"
    message = "No ledger entry has that id."


class NoCheckpoint(NotFound):
    code = "no_checkpoint"
    message = "The ledger has no signed checkpoint yet."


class EntryNotCheckpointed(Conflict):
    code = "entry_not_checkpointed"
    message = ("The entry is newer than the latest signed checkpoint; "
               "a proof can be given after the next checkpoint.")


class BadTreeSize(HubError):
    status = 400
    code = "bad_tree_size"
    message = "That tree size is not one the ledger has signed."


class BadCheckpoint(HubError):
    status = 400
    code = "bad_checkpoint"
    message = "The checkpoint is malformed or does not verify."
