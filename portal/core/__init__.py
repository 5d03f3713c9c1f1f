"""Area-free building blocks: errors, audit, settings and the data version,
idempotency, id sets, uploads, backup. They import models and extensions, never
an area."""
