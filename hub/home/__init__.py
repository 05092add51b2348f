"""Each role's home page: what that role can do in the hub now."""
