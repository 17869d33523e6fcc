"""schemathesis against the live REST API: generated requests (valid and invalid) for every
operation of the gateway's OpenAPI, with an analyst token of one creator, against a real stack
(ingest, graph and command behind the gateway, so queries answer with real data).

No response may be a server error, except a 503 naming a service that did not answer (the
documented answer when graph or command is down); every response must be documented, and match
its schema (status, body and content type).
"""

import collections
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, note, settings
from hypothesis.errors import Unsatisfiable
from nats.aio.client import Client
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from ofca.agent_protocol import AgentClient
from tests.command.stack import CommandProcess
from tests.conftest import Gateway
from tests.graph.stack import GraphProcess, wait_chats
from tests.ingest.stack import IngestProcess
from tests.security.stack import new_user
from tools.ofsim import generate_inbox, iter_messages

pytestmark = [pytest.mark.nats, pytest.mark.slow]

EXAMPLES = 25  # per operation and generation mode (positive, negative)


class Rest:
    def __init__(self, gateway: Gateway, user: str) -> None:
        self.gateway = gateway
        self.user = user
        self.token = gateway.token("analyst", user)
        self.session = requests.Session()


@pytest.fixture(scope="module")
async def rest(nats_url: str, nc: Client, gateway: Gateway) -> AsyncIterator[Rest]:
    services = [
        await IngestProcess(nats_url).ready(),
        await GraphProcess(nats_url).ready(),
        await CommandProcess(nats_url).ready(),
    ]
    user = new_user()
    inbox = generate_inbox(int(user), n_chats=6, messages_per_chat=(3, 8), seed=5)
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot(inbox.chats, list(iter_messages(inbox)), "rest-1")
    await wait_chats(gateway, user, 6)
    await agent.close()
    yield Rest(gateway, user)
    for service in reversed(services):
        service.stop()


def not_a_server_error_but_documented_503(response: schemathesis.Response) -> None:
    if response.status_code == 503:
        detail = response.json().get("detail", "")
        assert "did not answer" in detail or "try again" in detail, response.text
        return
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"


def semantic_refusal(response: schemathesis.Response) -> bool:
    """A 422 the route raised itself (`{"detail": "why"}`: a time that is not ISO-8601, a
    `userId` that is not the path's creator, `confirm` not repeating it...), not FastAPI's
    validation error. The OpenAPI documents 422 only as FastAPI's `HTTPValidationError` (a
    list), so these bodies are checked here, and are not data the schema promised to accept."""
    if response.status_code != 422:
        return False
    detail = response.json().get("detail")
    if isinstance(detail, list):
        return False
    assert isinstance(detail, str) and detail, response.text
    return True


def test_rest_answers_conform_and_never_fail(rest: Rest) -> None:
    api = schemathesis.openapi.from_url(f"{rest.gateway.http}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 20
    auth = {"Authorization": f"Bearer {rest.token}"}
    statuses: collections.Counter[int] = collections.Counter()
    started = time.perf_counter()
    failures: list[str] = []

    for operation in operations:
        # Every creator path is this creator's (another creator's answers 403, which
        # test_auth_matrix checks), and so is the agency view's list of creators.
        fixed: dict[str, Any] = {}
        if "user_id" in operation.path_parameters:
            fixed["path_parameters"] = {"user_id": rest.user}
        if any(p.name == "users" for p in operation.query):
            fixed["query"] = {"users": rest.user}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode, **fixed))
            def exercise(case: schemathesis.Case) -> None:
                response = case.call(session=rest.session, headers=auth, timeout=30)
                statuses[response.status_code] += 1
                note(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}")
                not_a_server_error_but_documented_503(response)
                if response.status_code == 503:
                    return
                if semantic_refusal(response):
                    return
                # Every status, media type and body must be the documented one (401, 403,
                # 404, 503 and the CSV downloads are in the OpenAPI: services/gateway/responses.py).
                case.validate_response(response, headers=auth)

            try:
                exercise()
            except Unsatisfiable:  # nothing to make invalid: an operation without inputs
                assert mode is GenerationMode.NEGATIVE
            except (AssertionError, FailureGroup) as exc:
                failures.append(f"{operation.label} ({mode.value}): {str(exc)[:1500]}")

    elapsed = time.perf_counter() - started
    calls = sum(statuses.values())
    print(
        f"\nschemathesis: {len(operations)} operations, {calls} requests in {elapsed:.1f} s: "
        f"{dict(sorted(statuses.items()))}"
    )
    assert not failures, "\n\n".join(failures)
    assert statuses[200] + statuses[202] > 0
