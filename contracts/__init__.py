"""OFCA contracts: the only code shared between services (wire models, events, subjects,
streams, tokens, and the runtime every service behaves identically on)."""

VERSION = "0.1.0"
