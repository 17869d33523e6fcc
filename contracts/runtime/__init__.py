"""What every OFCA service does the same way: settings, NATS connection, logs, probes.

It lives in `contracts/` because it *is* a contract: SREs rely on every service answering
`/healthz`, `/readyz` and `/metrics` alike and logging the same JSON fields.
"""
