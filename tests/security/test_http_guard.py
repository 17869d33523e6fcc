"""HTTP hardening of the gateway: security headers on every answer, a request body limit,
and API docs served from the gateway's own files (no CDN on the dashboard's origin)."""

from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import async_playwright

from tests.agent.browser import CHROMIUM
from tests.conftest import Gateway

pytestmark = pytest.mark.nats
MIB = 1024 * 1024


def user_of(gateway: Gateway) -> tuple[str, str]:
    return "123456", gateway.token("analyst", "123456")


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/v1/whoami", "/docs", "/openapi.json"])
async def test_every_answer_carries_the_security_headers(gateway: Gateway, path: str) -> None:
    async with httpx.AsyncClient(base_url=gateway.http) as http:
        reply = await http.get(path)
    headers = reply.headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"


async def test_a_body_over_the_limit_is_refused_with_413_by_length(gateway: Gateway) -> None:
    user, token = user_of(gateway)
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        reply = await http.put(
            f"/api/v1/users/{user}/settings",
            params={"token": token},
            content=b'{"retentionDays": 30, "pad": "' + b"x" * (2 * MIB) + b'"}',
            headers={"content-type": "application/json"},
        )
    assert reply.status_code == 413
    assert "larger than" in reply.json()["detail"]


async def test_a_chunked_body_over_the_limit_is_refused_with_413(gateway: Gateway) -> None:
    user, token = user_of(gateway)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"retentionDays": 30, "pad": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        reply = await http.put(
            f"/api/v1/users/{user}/settings",
            params={"token": token},
            content=chunks(),
            headers={"content-type": "application/json"},
        )
    assert reply.status_code == 413


async def test_a_body_under_the_limit_still_works(gateway: Gateway) -> None:
    user, token = user_of(gateway)
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        reply = await http.put(
            f"/api/v1/users/{user}/settings", params={"token": token}, json={"retentionDays": 400}
        )
    assert reply.status_code == 200, reply.text


async def test_api_docs_load_nothing_from_another_origin(gateway: Gateway) -> None:
    async with httpx.AsyncClient(base_url=gateway.http) as http:
        page = (await http.get("/docs")).text
        assert "http" not in page.replace("http-equiv", "")  # only same-origin paths
        assert "<script>" not in page  # no inline script: the CSP forbids it
        for asset in ("/docs/init.js", "/docs/assets/swagger-ui-bundle.js"):
            reply = await http.get(asset)
            assert reply.status_code == 200 and "javascript" in reply.headers["content-type"]
        assert (await http.get("/docs/assets/swagger-ui.css")).status_code == 200
        assert (await http.get("/redoc")).status_code in (404, 200)  # no CDN page
        assert "cdn" not in (await http.get("/redoc")).text


@pytest.mark.browser
async def test_api_docs_render_in_chromium_under_the_policy(gateway: Gateway) -> None:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page()
        violations: list[str] = []
        page.on(
            "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
        )
        await page.goto(f"{gateway.http}/docs")
        await page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert "OFCA gateway" in (await page.inner_text(".swagger-ui .info .title"))
        await browser.close()
    assert violations == []
