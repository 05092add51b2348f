"""Settings that the hub administrator changes at run time; each change is
ledgered with its old and new value."""
