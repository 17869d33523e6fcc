"""The spec's wire models (pydantic v2), one module per concern.

`core` (connection, status, errors, keepalive), `ingest` (what the Agent sends), `graph`
(ConversationNode), `insights` (full sync and analytics), `commands` (what the Agent executes).
The envelopes that carry them are in `contracts.wire`.
"""
