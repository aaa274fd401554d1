"""The shared core every capability stands on: the database handle, domain errors and their
one mapping to HTTP, the request's unit of work with Idempotency-Key replay, who is asking
(the principal), the event bus, and the schema fields every API shares. It imports no
capability package (.importlinter)."""
