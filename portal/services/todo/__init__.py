"""What waits for a user (/account/te-doen), computed from the data."""
