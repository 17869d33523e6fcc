"""Rotating the token signing key logs no one out: the gateway honours retired keys named in
`OFCA_PREVIOUS_SECRETS` (tokens carry the key's id in `kid`), and nothing else."""

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from nats.aio.client import Client

from contracts.tokens import issue_token
from ofca.agent_protocol import AgentClient
from tests.conftest import Gateway
from tests.security.stack import LoggedGateway

pytestmark = pytest.mark.nats
OLD, NEW = secrets.token_urlsafe(48), secrets.token_urlsafe(48)


@pytest.fixture(scope="module")
async def rotated(
    nats_url: str, nc: Client, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    tmp: Path = tmp_path_factory.mktemp("rotated")
    logged = LoggedGateway(nats_url, NEW, tmp / "gw", tmp / "gw.log", OFCA_PREVIOUS_SECRETS=OLD)
    yield await logged.ready()
    logged.stop()


async def test_tokens_of_the_new_and_the_retired_key_work_and_others_do_not(
    rotated: Gateway,
) -> None:
    async with httpx.AsyncClient(base_url=rotated.http) as http:
        for key in (NEW, OLD):
            token = issue_token(key, "analyst", ["42"])
            reply = await http.get("/api/v1/whoami", params={"token": token})
            assert reply.status_code == 200 and reply.json()["user_ids"] == ["42"]
        stranger = issue_token(secrets.token_urlsafe(48), "analyst", ["42"])
        assert (await http.get("/api/v1/whoami", params={"token": stranger})).status_code == 401
    agent = await AgentClient.connect(rotated.ws, issue_token(OLD, "agent", ["42"]))
    assert agent.ack["payload"]["userIds"] == ["42"]
    await agent.close()
