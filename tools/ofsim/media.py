"""Vault media with CloudFront-signed URLs, and OnlyFans media items built from it.

Every URL of a vault item is computed once (``make_vault_item``); ``media_item`` only
assembles dicts. Signed URLs use CloudFront's custom-policy form, so each carries
``Policy``, ``Signature`` and ``Key-Pair-Id`` query parameters, and video items carry
``files.drm.signature.{hls,dash}`` with the ``CloudFront-*`` cookie values. All of
it is fake: the signature is a hash, not RSA.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

JsonObj = dict[str, Any]

CDN = "https://cdn2.onlyfans.com/files"
DRM_CDN = "https://cdn3.onlyfans.com/dash/files"
_CF_TRANS = str.maketrans("+=/", "-_~")
_POLICY = '{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%d}}}]}'


@dataclass(frozen=True, slots=True)
class VaultItem:
    id: int
    type: str  # photo | video | gif | audio
    width: int
    height: int
    size: int
    duration: int
    created_at: str
    full: str
    preview: str | None
    thumb: str | None
    square: str | None
    hls: str | None
    dash: str | None
    drm_policy: str | None
    drm_signature: str | None
    v720: str | None
    v240: str | None


@dataclass(frozen=True, slots=True)
class CloudFront:
    """Fixed CloudFront ``Policy`` / ``Signature`` / ``Key-Pair-Id`` values for every URL.

    The local simulator gives each run one random set, so a leak test can look for it.
    """

    policy: str
    signature: str
    key_pair_id: str


@dataclass(frozen=True, slots=True)
class Signer:
    """Fake CloudFront signer; deterministic in ``secret``, or ``fixed`` values throughout."""

    secret: bytes
    key_pair_id: str
    expires: int
    viewer: int
    fixed: CloudFront | None = None

    def digest_hex(self, *parts: object) -> str:
        data = ":".join(str(p) for p in parts).encode()
        return hashlib.blake2b(data, digest_size=16, key=self.secret[:64]).hexdigest()

    def policy_and_signature(self, resource: str) -> tuple[str, str]:
        if self.fixed is not None:
            return self.fixed.policy, self.fixed.signature
        policy = base64.b64encode((_POLICY % (resource, self.expires)).encode()).decode()
        policy = policy.translate(_CF_TRANS)
        raw = hashlib.shake_256(self.secret + policy.encode()).digest(256)
        return policy, base64.b64encode(raw).decode().translate(_CF_TRANS)

    def url(self, media_id: int, variant: str, filename_fmt: str) -> str:
        folder = self.digest_hex(media_id, variant)
        base = f"{CDN}/{folder[0]}/{folder[:2]}/{folder}/"
        policy, signature = self.policy_and_signature(base + "*")
        name = filename_fmt.format(h=self.digest_hex(media_id))
        return (
            f"{base}{name}?Tag=2&u={self.viewer}&Policy={policy}"
            f"&Signature={signature}&Key-Pair-Id={self.key_pair_id}"
        )


def make_vault_item(
    signer: Signer, media_id: int, kind: str, seq: int, created_at: str
) -> VaultItem:
    """Precompute every URL of one vault item; ``seq`` varies the dimensions."""
    portrait = seq % 3 != 0
    width, height = (1080, 1350 + (seq % 7) * 10) if portrait else (1920, 1080)
    pw, ph = 960, height * 960 // width
    if kind == "audio":
        full = signer.url(media_id, "full", "{h}.mp3")
        return VaultItem(
            media_id, kind, 0, 0, 400_000 + seq * 997 % 900_000, 20 + seq % 90, created_at,
            full, None, None, None, None, None, None, None, None, None,
        )  # fmt: skip
    thumb = signer.url(media_id, "thumb", "300x300_{h}.jpg")
    preview = signer.url(media_id, "preview", f"{pw}x{ph}_{{h}}.jpg")
    square = signer.url(media_id, "square", "960x960_{h}.jpg")
    if kind == "photo":
        full = signer.url(media_id, "full", f"{width}x{height}_{{h}}.jpg")
        size = 250_000 + seq * 7919 % 2_000_000
        return VaultItem(
            media_id, kind, width, height, size, 0, created_at,
            full, preview, thumb, square, None, None, None, None, None, None,
        )  # fmt: skip
    duration = 8 + seq % 300 if kind == "video" else 3
    full = signer.url(media_id, "full", f"{width}x{height}_{{h}}.mp4")
    folder = signer.digest_hex(media_id, "drm")
    drm_base = f"{DRM_CDN}/{folder[0]}/{folder[:2]}/{folder}/"
    drm_policy, drm_signature = signer.policy_and_signature(drm_base + "*")
    return VaultItem(
        media_id, kind, width, height, 2_000_000 + seq * 104_729 % 90_000_000, duration,
        created_at, full, preview, thumb, square,
        drm_base + signer.digest_hex(media_id, "m") + ".m3u8",
        drm_base + signer.digest_hex(media_id, "m") + ".mpd",
        drm_policy, drm_signature,
        signer.url(media_id, "720", "720_{h}.mp4"),
        signer.url(media_id, "240", "240_{h}.mp4"),
    )  # fmt: skip


def media_item(v: VaultItem, can_view: bool, key_pair_id: str) -> JsonObj:
    """A message's media item; ``can_view`` False is a locked (unpurchased) PPV item.

    One flat literal (this runs for every media item of a million-message inbox); URL
    strings are shared with the vault item, containers are new.
    """
    full = v.full if can_view else None
    size = v.size if can_view else 0
    w, h = v.width, v.height
    pw, ph = (960, h * 960 // w) if w else (0, 0)
    t = 300 if v.thumb else 0
    sq = 960 if v.square else 0
    files: JsonObj = {
        "full": {"url": full, "width": w, "height": h, "size": size, "sources": []},
        "thumb": {"url": v.thumb, "width": t, "height": t, "size": 0},
        "preview": {"url": v.preview, "width": pw, "height": ph, "size": 0},
        "squarePreview": {"url": v.square, "width": sq, "height": sq, "size": 0},
    }
    if can_view and v.hls is not None:
        files["drm"] = {
            "manifest": {"hls": v.hls, "dash": v.dash},
            "signature": {
                "hls": {
                    "CloudFront-Policy": v.drm_policy,
                    "CloudFront-Signature": v.drm_signature,
                    "CloudFront-Key-Pair-Id": key_pair_id,
                },
                "dash": {
                    "CloudFront-Policy": v.drm_policy,
                    "CloudFront-Signature": v.drm_signature,
                    "CloudFront-Key-Pair-Id": key_pair_id,
                },
            },
        }
    return {
        "id": v.id,
        "type": v.type,
        "convertedToVideo": False,
        "canView": can_view,
        "hasError": False,
        "createdAt": v.created_at,
        "isReady": True,
        "duration": v.duration,
        "hasCustomPreview": False,
        "src": full,
        "preview": v.preview,
        "thumb": v.thumb,
        "squarePreview": v.square,
        "locked": not can_view,
        "source": {"source": full, "width": w, "height": h, "size": size, "duration": v.duration},
        "info": {
            "source": {"source": full, "width": w, "height": h, "size": size},
            "preview": {"width": pw, "height": ph, "size": 0},
        },
        "files": files,
        "videoSources": {
            "720": v.v720 if can_view else None,
            "240": v.v240 if can_view else None,
        },
    }
