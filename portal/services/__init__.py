"""Use cases, one subpackage per area. Services change models, write the audit
log and flush; they never read the request and never commit (the web layer's
one transaction helper does)."""
