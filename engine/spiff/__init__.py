"""SpiffWorkflow adapters: the codec that stores workflow state and the host-controlled timer events it knows.
May use: SpiffWorkflow and ``engine.errors``; no other engine layer (the codec must not know the database)."""
