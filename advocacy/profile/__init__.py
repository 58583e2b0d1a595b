"""A member's own pages: their address and legislators, letters from the profile, history."""
