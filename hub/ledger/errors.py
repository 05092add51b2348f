from hub.errors import Conflict, NotFound


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
