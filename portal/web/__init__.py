"""Request plumbing: the transaction helper, htmx page-or-fragment, templates,
caching, security headers, sessions, error pages. Imports no area."""
