"""The partner side of the hub: the self-service portal where HOAs and
businesses enrol, and the integrations that bring their cameras' reads in."""
