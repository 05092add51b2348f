"""The camera registry: who owns each reader, where it stands, and how its
owner shares it."""
