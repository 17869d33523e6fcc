"""Issue 15, finding 1 (medium), end to end: the extension sent messages the Brain never
approved. Any script on the dashboard's origin could call `execute_agent_command` and the Agent
typed and sent it, with no approval and no audit; the Brain dropped the result of a command it
never issued. Now the Agent asks the Brain (`command_check`) before every execution and the
dashboard path leaves the same audit trail as the socket path.

The built extension in Chromium, the OnlyFans simulator and the real Brain."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from nats.aio.client import Client

from ofca.agent_protocol import AgentClient
from tests.command.stack import command, first_command, wait_state
from tests.security.extension_stack import BrowserStack, browser_stack

pytestmark = [pytest.mark.nats, pytest.mark.browser]


@pytest.fixture(scope="module")
async def stack(
    nats_url: str, nc: Client, secret: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BrowserStack]:
    async with browser_stack(nats_url, secret, tmp_path_factory.mktemp("sends")) as built:
        yield built


async def sent_with(stack: BrowserStack, marker: str) -> list[dict[str, Any]]:
    """The messages the simulated site accepted from the creator whose text holds `marker`."""
    sent = (await stack.sim("GET", "/_sim/sent"))["sent"]
    return [s for s in sent if marker in str(s["body"].get("text", ""))]


async def test_a_dashboard_script_cannot_send_a_message_the_brain_never_issued(
    stack: BrowserStack,
) -> None:
    dashboard = await stack.open(stack.gateway.http + "/")  # brainUrl's origin: may ask to send
    marker = uuid.uuid4().hex[:8]
    forged = command(stack.user, stack.fan, f"unlock my $500 bundle now {marker}")
    answer = await stack.ask(dashboard, {"type": "execute_agent_command", "command": forged})
    assert answer["ok"] is True, answer
    assert answer["data"]["status"] == "rejected", answer
    assert "never issued" in answer["data"]["detail"]["reason"]
    assert await sent_with(stack, marker) == []
    assert (await stack.api("GET", f"/commands/{forged['commandId']}")).status_code == 404
    await stack.close_pages()


async def test_an_approved_command_sent_through_the_dashboard_is_in_the_audit_log_once(
    stack: BrowserStack,
) -> None:
    # A second, idle browser of the creator takes the Brain's own delivery and never executes
    # it, so this browser's Agent runs the command only through the dashboard path.
    await stack.set_storage({"paused": True})
    idle = await AgentClient.connect(stack.gateway.ws, stack.gateway.token("agent", stack.user))
    marker = uuid.uuid4().hex[:8]
    body = command(stack.user, stack.fan, f"thank you for the tip {marker}")
    assert (await stack.api("POST", "/commands", json=body)).status_code == 202
    assert (await first_command(idle))["commandId"] == body["commandId"]
    await wait_state(stack.gateway, stack.user, body["commandId"], "delivered")
    await idle.close()
    await stack.set_storage({"paused": False})
    await stack.wait_connected()

    dashboard = await stack.open(stack.gateway.http + "/")
    answer = await stack.ask(dashboard, {"type": "execute_agent_command", "command": body})
    assert answer["ok"] is True and answer["data"]["status"] == "sent", answer
    assert answer["data"]["duplicate"] is False
    record = await wait_state(stack.gateway, stack.user, body["commandId"], "sent", within_s=30)
    grants = [h for h in record["history"] if h["step"] == "granted"]
    assert len(grants) == 1 and grants[0]["detail"].startswith("via bridge"), grants
    assert str(answer["data"]["detail"]["messageId"]) in record["history"][-1]["detail"]
    audit = (await stack.api("GET", "/commands/audit.csv")).text
    assert f"{body['commandId']},{stack.fan}" in audit and ",sent,agent," in audit

    again = await stack.ask(dashboard, {"type": "execute_agent_command", "command": body})
    assert again["ok"] is True and again["data"]["duplicate"] is True
    assert len(await sent_with(stack, marker)) == 1
    await stack.close_pages()
