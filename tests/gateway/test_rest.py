"""The gateway's REST surface over real HTTP."""

import httpx
import pytest

from contracts.schema_export import wss_schema
from tests.conftest import Gateway

pytestmark = pytest.mark.nats


async def test_probes_answer(gateway: Gateway) -> None:
    async with httpx.AsyncClient(base_url=gateway.http) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        ready = await http.get("/readyz")
        assert ready.status_code == 200 and ready.json()["problems"] == []
        metrics = await http.get("/metrics")
        assert "ofca_gateway_sockets" in metrics.text


async def test_wss_schema_both_directions(gateway: Gateway) -> None:
    async with httpx.AsyncClient(base_url=gateway.http) as http:
        outgoing = (await http.get("/api/v1/schemas/wss")).json()
        incoming = (await http.get("/api/v1/schemas/wss?direction=incoming")).json()
    assert outgoing == wss_schema("outgoing") and outgoing["title"] == "OutgoingWssMessage"
    assert incoming["title"] == "IncomingWssMessage"
    assert "full_sync_response" in outgoing["discriminator"]["mapping"]
    assert "cache_update" in incoming["discriminator"]["mapping"]


async def test_openapi_is_served(gateway: Gateway) -> None:
    async with httpx.AsyncClient(base_url=gateway.http) as http:
        spec = (await http.get("/openapi.json")).json()
    assert "/api/v1/users/{user_id}/status" in spec["paths"]


async def test_rest_refuses_missing_forged_and_cross_tenant_tokens(gateway: Gateway) -> None:
    own = gateway.token("analyst", "111")
    async with httpx.AsyncClient(base_url=gateway.http) as http:
        assert (await http.get("/api/v1/users/111/status")).status_code == 401
        forged = own[:-3] + "abc"
        assert (await http.get(f"/api/v1/users/111/status?token={forged}")).status_code == 401
        bearer = {"Authorization": f"Bearer {own}"}
        ok = await http.get("/api/v1/users/111/status", headers=bearer)
        assert ok.status_code == 200 and ok.json()["agent_online"] is False
        other = await http.get("/api/v1/users/222/status", headers=bearer)
        assert other.status_code == 403
        who = (await http.get("/api/v1/whoami", headers=bearer)).json()
        assert who == {"role": "analyst", "user_ids": ["111"]}
