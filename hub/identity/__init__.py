"""Organisations, users, roles, second factors, training, written
authorisations and personal API tokens."""
