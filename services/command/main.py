"""`ofca service command`: the command lifecycle, from approval to the Agent and back."""

import asyncio
from functools import partial

from contracts.runtime.service import run_service
from services.command.service import run_command
from services.command.settings import CommandSettings


def run() -> None:
    settings = CommandSettings()
    asyncio.run(run_service("command", settings, partial(run_command, settings=settings)))
