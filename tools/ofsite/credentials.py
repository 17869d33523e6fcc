"""Every credential of one simulator run: random at start, never derived from the seed."""

from __future__ import annotations

import base64
import json
import secrets
import string
import time
from dataclasses import dataclass

from tools.ofsim import CloudFront, JsonObj
from tools.ofsim.users import fake_jwt

_ALNUM = string.ascii_lowercase + string.digits


def _token(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


@dataclass(frozen=True, slots=True)
class Secrets:
    """Cookies, request-signing values, the socket token and the CloudFront parameters."""

    sess: str
    auth_id: str
    fp: str
    app_token: str
    xbc: str
    sign_secret: str
    ws_token: str
    policy: str
    signature: str
    key_pair_id: str

    @classmethod
    def generate(cls, creator_id: int) -> Secrets:
        now = int(time.time())
        resource = f"https://cdn2.onlyfans.com/files/{secrets.token_hex(8)}/*"
        expires = {"DateLessThan": {"AWS:EpochTime": now + 86400}}
        statement = {"Resource": resource, "Condition": expires}
        policy_json = json.dumps({"Statement": [statement]}, separators=(",", ":"))
        cf = str.maketrans("+=/", "-_~")
        return cls(
            sess=_token(_ALNUM, 26),
            auth_id=str(secrets.randbelow(9 * 10**9) + 10**9),
            fp=secrets.token_hex(16),
            app_token=secrets.token_hex(16),
            xbc=secrets.token_hex(20),
            sign_secret=_token(string.ascii_letters + string.digits, 32),
            ws_token=fake_jwt(creator_id, now, secrets.randbits(64)),
            policy=base64.b64encode(policy_json.encode()).decode().translate(cf),
            signature=base64.b64encode(secrets.token_bytes(128)).decode().translate(cf),
            key_pair_id="APKA" + _token(string.ascii_uppercase + string.digits, 16),
        )

    def cookies(self) -> dict[str, str]:
        return {"sess": self.sess, "auth_id": self.auth_id, "fp": self.fp}

    def cloudfront(self) -> CloudFront:
        return CloudFront(self.policy, self.signature, self.key_pair_id)

    def signed_url(self, url: str, viewer: int) -> str:
        """``url`` with this run's CloudFront query parameters, as OnlyFans' CDN URLs carry."""
        return (
            f"{url}?Tag=2&u={viewer}&Policy={self.policy}&Signature={self.signature}"
            f"&Key-Pair-Id={self.key_pair_id}"
        )

    def report(self) -> JsonObj:
        """The ``/_sim/secrets`` shape (without the signatures list)."""
        return {
            "cookies": self.cookies(),
            "appToken": self.app_token,
            "xbc": self.xbc,
            "signSecret": self.sign_secret,
            "wsToken": self.ws_token,
            "media": {
                "Policy": self.policy,
                "Signature": self.signature,
                "Key-Pair-Id": self.key_pair_id,
            },
        }
