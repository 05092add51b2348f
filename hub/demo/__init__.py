"""The Corcoran demo network: `hub demo load`."""
