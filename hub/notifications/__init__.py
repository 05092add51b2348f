"""Messages to the hub's users (an access request waiting for a partner's
consent, …), kept in a stored outbox that each user reads in the hub and,
when SMTP is configured, also sent by e-mail."""
