"""`ofca service enrichment`: sentiment, topics, fan scores and reply drafts."""

import asyncio
from functools import partial

from contracts.runtime.service import run_service
from services.enrichment.service import run_enrichment
from services.enrichment.settings import EnrichmentSettings


def run() -> None:
    settings = EnrichmentSettings()
    asyncio.run(run_service("enrichment", settings, partial(run_enrichment, settings=settings)))
