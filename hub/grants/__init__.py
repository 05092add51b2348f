"""Time-limited police access to partner cameras: the officer's request, the
chief's approval, the partner's consent (OAuth 2.0), and revocation."""
