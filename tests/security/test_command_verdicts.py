"""Issue 15, finding 1 (the Brain's half): an Agent asks `command_check` before it executes any
command, and the Brain says yes only for a command it issued for that Agent's creator that is
still executable, to one Agent installation. Real nats-server, gateway and command service;
the extension's half is `test_unapproved_sends.py` (Chromium)."""

import uuid

import pytest

from ofca.agent_protocol import AgentClient
from tests.command import conftest as command_fixtures
from tests.command.conftest import StartCommand
from tests.command.stack import command, first_command, get, new_user, post, report, wait_state
from tests.conftest import Gateway

pytestmark = pytest.mark.nats
start_command = command_fixtures.start_command  # a command service per test
INSTALL_A = "install-" + "a" * 24
INSTALL_B = "install-" + "b" * 24


async def test_only_a_command_the_brain_issued_for_this_creator_is_executable(
    gateway: Gateway, start_command: StartCommand
) -> None:
    await start_command()
    creator, other = new_user(), new_user()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", creator))
    forged = await agent.check(uuid.uuid4().hex, INSTALL_A, via="bridge")
    assert forged["executable"] is False and "never issued" in forged["reason"]

    theirs = command(other)  # a real command, of another creator
    assert (await post(gateway, other, theirs)).status_code == 202
    await wait_state(gateway, other, theirs["commandId"], lambda s: s != "requested")
    crossed = await agent.check(theirs["commandId"], INSTALL_A)
    assert crossed["executable"] is False and "never issued" in crossed["reason"]
    await agent.close()


async def test_one_agent_installation_gets_the_command_and_the_audit_log_says_which(
    gateway: Gateway, start_command: StartCommand
) -> None:
    await start_command()
    creator = new_user()
    first = await AgentClient.connect(gateway.ws, gateway.token("agent", creator))
    body = command(creator, text="see you tonight")
    assert (await post(gateway, creator, body)).status_code == 202
    delivered = await first_command(first)
    command_id = delivered["commandId"]

    yes = await first.check(command_id, INSTALL_A)
    assert yes["executable"] is True, yes
    second = await AgentClient.connect(gateway.ws, gateway.token("agent", creator))
    no = await second.check(command_id, INSTALL_B, via="bridge")  # another browser's dashboard
    assert no["executable"] is False and "another Agent" in no["reason"]
    assert (await first.check(command_id, INSTALL_A, via="bridge"))["executable"] is True

    record = await wait_state(gateway, creator, command_id, "delivered")
    grants = [h for h in record["history"] if h["step"] == "granted"]
    assert [(g["grantedTo"], g["actor"]) for g in grants] == [(INSTALL_A, "agent")]
    assert "via socket" in grants[0]["detail"]

    await report(first, command_id, "sent")
    await wait_state(gateway, creator, command_id, "sent")
    after = await first.check(command_id, INSTALL_A)
    assert after["executable"] is False and "already sent" in after["reason"]
    audit = await get(gateway, creator, "/commands/audit.csv")
    assert f"granted,delivered,agent,via socket; to Agent {INSTALL_A}" in audit.text
    await first.close()
    await second.close()


async def test_an_expired_command_is_refused(gateway: Gateway, start_command: StartCommand) -> None:
    await start_command(OFCA_COMMAND_TTL="1")
    creator = new_user()
    body = command(creator)
    assert (await post(gateway, creator, body)).status_code == 202  # no Agent online
    await wait_state(gateway, creator, body["commandId"], "expired")
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", creator))
    verdict = await agent.check(body["commandId"], INSTALL_A, via="bridge")
    assert verdict["executable"] is False and verdict["state"] == "expired"
    await agent.close()


async def test_a_brain_that_cannot_answer_means_no(gateway: Gateway) -> None:
    creator = new_user()  # no command service runs in this test: nobody answers the check
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", creator))
    verdict = await agent.check(uuid.uuid4().hex, INSTALL_A, via="bridge")
    assert verdict["executable"] is False and "did not answer" in verdict["reason"]
    await agent.close()
