"""The one model every input format becomes (see ``docs/architecture.md``)."""
