"""Notifications: the outbox written with each change, the user's choices,
delivery over SMTP and the weekly digest."""
