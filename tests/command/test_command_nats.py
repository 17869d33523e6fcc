"""The command path on a real nats-server: approval → exactly one delivery, or none at all."""

import asyncio
import json
from datetime import UTC, datetime

import pytest
from nats.aio.client import Client

from contracts import subjects
from contracts.models.commands import CommandRequest, SendMessageCommand
from contracts.models.queries import CreatorSettings
from contracts.streams import KV_CREATOR_SETTINGS
from ofca.agent_protocol import AgentClient
from tests.command.conftest import StartCommand
from tests.command.stack import (
    PrivateGateway,
    command,
    commands_within,
    first_command,
    get,
    new_user,
    open_bridge,
    post,
    report,
    wait_state,
)
from tests.conftest import Gateway


async def test_an_approval_reaches_its_creators_agent_once_and_no_other(
    gateway: Gateway, start_command: StartCommand
) -> None:
    await start_command()
    a, b = new_user(), new_user()
    agent_a = await AgentClient.connect(gateway.ws, gateway.token("agent", a))
    agent_b = await AgentClient.connect(gateway.ws, gateway.token("agent", b))
    bridge_a = await open_bridge(gateway, a)
    body = command(a, chat=4242, text="thank you babe")
    accepted = await post(gateway, a, body)
    assert accepted.status_code == 202
    assert accepted.json()["commandId"] == body["commandId"]
    assert accepted.json()["duplicate"] is False

    got = await first_command(agent_a)
    assert got["commandId"] == body["commandId"]
    assert (got["text"], str(got["chatId"]), got["origin"]) == ("thank you babe", "4242", "analyst")
    assert await commands_within(agent_a, 1.5) == []
    assert await commands_within(agent_b, 0.5) == []
    await wait_state(gateway, a, body["commandId"], "delivered")

    await report(agent_a, body["commandId"], "sent")
    record = await wait_state(gateway, a, body["commandId"], "sent")
    steps = [(h["state"], h["step"]) for h in record["history"]]
    assert steps == [
        ("requested", "state"),
        ("issued", "state"),
        ("issued", "delivering"),
        ("delivered", "state"),
        ("sent", "state"),
    ]
    seen: list[str] = []
    async with asyncio.timeout(10):
        while "sent" not in seen:
            frame = json.loads(await bridge_a.recv())
            if frame["type"] == "command_status":
                assert frame["payload"]["commandId"] == body["commandId"]
                seen.append(frame["payload"]["state"])
    assert {"issued", "delivered", "sent"} <= set(seen)
    for ws in (agent_a, agent_b):
        await ws.close()
    await bridge_a.close()


async def test_the_same_command_id_is_one_command(
    gateway: Gateway, start_command: StartCommand
) -> None:
    await start_command()
    user = new_user()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    body = command(user)
    answers = [await post(gateway, user, body) for _ in range(3)]
    answers.append(await post(gateway, user, {**body, "text": "a different text"}))
    assert [a.status_code for a in answers] == [202] * 4
    assert [a.json()["duplicate"] for a in answers] == [False, True, True, True]
    got = await commands_within(agent, 3)
    assert [c["commandId"] for c in got] == [body["commandId"]]
    assert got[0]["text"] == body["text"]
    await agent.close()


async def test_restarts_and_reconnects_never_deliver_an_executed_command_again(
    nats_url: str,
    secret: str,
    tmp_path_factory: pytest.TempPathFactory,
    start_command: StartCommand,
) -> None:
    service = await start_command()
    private = PrivateGateway(nats_url, secret, tmp_path_factory.mktemp("gw"))
    gw = await private.ready()
    user = new_user()
    agent = await AgentClient.connect(gw.ws, gw.token("agent", user))
    body = command(user)
    assert (await post(gw, user, body)).status_code == 202
    got = await first_command(agent)
    await report(agent, got["commandId"], "sent")
    await wait_state(gw, user, body["commandId"], "sent")

    private.restart()  # the gateway dies with the Agent connected
    gw = await private.ready()
    agent = await AgentClient.connect(gw.ws, gw.token("agent", user))
    assert await commands_within(agent, 2) == []
    again = await post(gw, user, body)
    assert again.status_code == 202 and again.json()["duplicate"] is True

    service.kill()  # and the command service too: it rebuilds from the log
    await start_command()
    assert await commands_within(agent, 3) == []
    record = await wait_state(gw, user, body["commandId"], "sent")
    assert sum(1 for h in record["history"] if h["state"] == "delivered") == 1
    await agent.close()
    private.stop()


async def test_a_command_waits_for_an_offline_agent_and_is_delivered_once(
    gateway: Gateway, start_command: StartCommand
) -> None:
    await start_command()
    user = new_user()
    body = command(user)
    assert (await post(gateway, user, body)).status_code == 202
    record = await wait_state(
        gateway,
        user,
        body["commandId"],
        lambda _: True,  # any state: it is known
    )
    await asyncio.sleep(1.5)  # a few delivery attempts find no Agent
    record = await wait_state(gateway, user, body["commandId"], "issued")
    assert any(h["step"] == "returned" for h in record["history"])
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    got = await commands_within(agent, 4)
    assert [c["commandId"] for c in got] == [body["commandId"]]
    await wait_state(gateway, user, body["commandId"], "delivered")
    await agent.close()


async def test_an_expired_command_is_never_delivered(
    gateway: Gateway, start_command: StartCommand
) -> None:
    await start_command(OFCA_COMMAND_TTL="2")
    user = new_user()
    body = command(user)
    assert (await post(gateway, user, body)).status_code == 202
    record = await wait_state(gateway, user, body["commandId"], "expired")
    assert "TTL" in record["history"][-1]["detail"]
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    assert await commands_within(agent, 2) == []
    await agent.close()


async def test_rate_limit_per_fan_rejects_the_excess(
    gateway: Gateway, start_command: StartCommand
) -> None:
    await start_command(OFCA_COMMAND_RATE_FAN="2")
    user = new_user()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    bodies = [command(user, chat=77) for _ in range(3)]
    for body in bodies:
        assert (await post(gateway, user, body)).status_code == 202
        await wait_state(gateway, user, body["commandId"], lambda s: s != "requested")
    other_fan = command(user, chat=78)
    assert (await post(gateway, user, other_fan)).status_code == 202
    got = await commands_within(agent, 3)
    assert sorted(c["commandId"] for c in got) == sorted(
        [bodies[0]["commandId"], bodies[1]["commandId"], other_fan["commandId"]]
    )
    rejected = await wait_state(gateway, user, bodies[2]["commandId"], "rejected")
    assert "rate limit" in rejected["history"][-1]["detail"]
    await agent.close()


async def test_requests_are_checked_and_tenants_kept_apart(gateway: Gateway) -> None:
    a, b = new_user(), new_user()
    assert (await post(gateway, a, command(b))).status_code == 422  # userId is not the path's
    assert (await post(gateway, a, command(a, origin="auto"))).status_code == 422
    assert (await post(gateway, a, command(a, text="  "))).status_code == 422
    assert (
        await post(gateway, a, command(a), token=gateway.token("analyst", b))
    ).status_code == 403
    assert (await post(gateway, a, command(a), token=gateway.token("agent", a))).status_code == 403
    assert (await post(gateway, a, command(a), token="forged.token.here")).status_code == 401
    assert (await post(gateway, a, {"commandId": "x"})).status_code == 422
    reply = await get(gateway, a, "/commands/nope")
    assert reply.status_code in {404, 503}


async def test_a_bridge_can_send_a_command_and_bad_ones_get_typed_errors(
    gateway: Gateway, start_command: StartCommand
) -> None:
    await start_command()
    user = new_user()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    bridge = await open_bridge(gateway, user)
    body = command(user, text="from the dashboard")
    frame = {"type": "send_command", "ref": "b1", "payload": {"command": body, "draftId": "d1"}}
    await bridge.send(json.dumps(frame))
    bad = {"type": "send_command", "ref": "b2", "payload": {"command": command(new_user())}}
    await bridge.send(json.dumps(bad))
    replies: dict[str, dict[str, object]] = {}
    async with asyncio.timeout(10):
        while len(replies) < 2:
            got = json.loads(await bridge.recv())
            if got["type"] in ("ingest_ack", "system_error"):
                replies[got["payload"]["ref"]] = got
    assert replies["b1"]["type"] == "ingest_ack"
    assert replies["b2"]["type"] == "system_error"
    assert replies["b2"]["payload"]["code"] == "invalid_payload"  # type: ignore[index]
    delivered = await first_command(agent)
    assert delivered["text"] == "from the dashboard"
    record = await wait_state(gateway, user, body["commandId"], "delivered")
    assert record["draftId"] == "d1" and record["via"] == "bridge"
    await bridge.close()
    await agent.close()


async def test_the_audit_log_lists_every_step(
    gateway: Gateway, start_command: StartCommand, nc: Client
) -> None:
    await start_command()
    user = new_user()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    bodies = [command(user, chat=9, text=f"message {i}") for i in range(2)]
    for body in bodies:
        await post(gateway, user, body)
    delivered = await commands_within(agent, 3)  # both, before reporting (report reads acks)
    assert len(delivered) == 2
    for got in delivered:
        await report(agent, got["commandId"], "failed")
    for body in bodies:
        await wait_state(gateway, user, body["commandId"], "failed")
    page = (await get(gateway, user, "/commands", limit=1)).json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["nextCursor"] == "1"
    failed = (await get(gateway, user, "/commands", state="failed")).json()
    assert {i["command"]["commandId"] for i in failed["items"]} == {b["commandId"] for b in bodies}
    csv_reply = await get(gateway, user, "/commands/audit.csv")
    assert csv_reply.headers["content-type"].startswith("text/csv")
    lines = csv_reply.text.strip().splitlines()
    assert lines[0].startswith("at,command_id,chat_id,seq,step,state,actor")
    assert len(lines) == 1 + 2 * 5  # requested, issued, delivering, delivered, failed
    assert sum("message 0" in line for line in lines) == 1  # the text only on the request
    await agent.close()


async def test_the_kill_switch_rejects_auto_commands_whatever_the_creator_chose(
    gateway: Gateway, start_command: StartCommand, nc: Client
) -> None:
    await start_command(OFCA_AUTO_SEND_ALLOWED="false")
    user = new_user()
    kv = await nc.jetstream().key_value(KV_CREATOR_SETTINGS)
    await kv.put(user, CreatorSettings(auto_send=True).model_dump_json(by_alias=True).encode())
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    auto = SendMessageCommand.model_validate(command(user, origin="auto"))
    request = CommandRequest(
        command=auto, requested_by="auto", via="auto", at=datetime.now(UTC), draft_id="d-9"
    )
    await nc.jetstream().publish(
        subjects.commands(user, "request"), request.model_dump_json(by_alias=True).encode()
    )
    record = await wait_state(gateway, user, auto.command_id, "rejected")
    assert "kill switch" in record["history"][-1]["detail"]
    assert await commands_within(agent, 1.5) == []
    await agent.close()
