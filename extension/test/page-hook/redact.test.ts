import { describe, expect, it } from "vitest";
import { redact, redactUrlParams } from "../../src/page-hook/redact";

// Every value below is a secret; none may survive anywhere in the serialized output.
const SECRETS = [
  "WS-AUTH-TOKEN-123",
  "CONNECT-TOKEN-456",
  "POLICYVALUE789",
  "SIGNATUREVALUEabc",
  "KEYPAIRIDdef",
  "DRMPOLICYghi",
  "DRMSIGNATUREjkl",
  "DRMKEYPAIRmno",
  "SIGNPARAMpqr",
  "1700000000123",
  "URLTOKENstu",
  "HTMLPOLICYvwx",
  "HTMLSIGxyz",
  "NESTEDSIGN001",
];

const cdn = "https://cdn2.onlyfans.com/files/a/b/photo.jpg";
const capture = {
  url: "https://onlyfans.com/api2/v2/users/me?sign=SIGNPARAMpqr&time=1700000000123&x=1",
  method: "GET",
  status: 200,
  requestBody: null,
  responseBody: {
    id: 300000,
    name: "Creator",
    wsAuthToken: "WS-AUTH-TOKEN-123",
    wsUrl: "wss://ws2.onlyfans.com/ws3/24?token=URLTOKENstu",
    avatar: `${cdn}?Policy=POLICYVALUE789&Signature=SIGNATUREVALUEabc&Key-Pair-Id=KEYPAIRIDdef`,
    list: [
      {
        text: `<p><img src="${cdn}?Policy=HTMLPOLICYvwx&amp;Signature=HTMLSIGxyz&amp;Key-Pair-Id=KEYPAIRIDdef"></p>`,
        media: [
          {
            id: 7700001,
            files: {
              full: { url: `${cdn}?Key-Pair-Id=KEYPAIRIDdef&Signature=SIGNATUREVALUEabc&Policy=POLICYVALUE789` },
              drm: {
                manifest: { dash: `${cdn}.mpd` },
                signature: {
                  dash: {
                    "CloudFront-Policy": "DRMPOLICYghi",
                    "CloudFront-Signature": "DRMSIGNATUREjkl",
                    "CloudFront-Key-Pair-Id": "DRMKEYPAIRmno",
                  },
                },
              },
            },
          },
        ],
      },
    ],
    deeper: [[{ link: `/api2/v2/chats?offset=0&sign=NESTEDSIGN001` }]],
  },
};
const connectFrame = {
  url: "wss://ws2.onlyfans.com/ws3/24",
  direction: "out",
  frame: { act: "connect", token: "CONNECT-TOKEN-456" },
};

describe("redact", () => {
  it("leaves no secret anywhere in the serialized output", () => {
    const out = JSON.stringify([redact(capture), redact(connectFrame)]);
    for (const secret of SECRETS) expect(out).not.toContain(secret);
    expect(out).not.toMatch(/wsAuthToken|Policy=|Signature=|Key-Pair-Id=|[?&]sign=|[?&]time=|[?&]token=/i);
  });

  it("keeps everything that is not a credential", () => {
    const out = redact(capture) as typeof capture;
    expect(out.url).toBe("https://onlyfans.com/api2/v2/users/me?x=1");
    expect(out.responseBody.id).toBe(300000);
    expect(out.responseBody.avatar).toBe(cdn);
    expect(out.responseBody.wsUrl).toBe("wss://ws2.onlyfans.com/ws3/24");
    expect(out.responseBody.list[0]?.media[0]?.files.drm.manifest.dash).toBe(`${cdn}.mpd`);
    expect(out.responseBody.list[0]?.text).toBe(`<p><img src="${cdn}"></p>`);
    expect(out.responseBody.deeper).toEqual([[{ link: "/api2/v2/chats?offset=0" }]]);
    expect(redact(connectFrame)).toEqual({ url: connectFrame.url, direction: "out", frame: { act: "connect" } });
  });

  it("does not modify its input", () => {
    const before = JSON.stringify(capture);
    redact(capture);
    expect(JSON.stringify(capture)).toBe(before);
  });

  it("tidies query separators", () => {
    expect(redactUrlParams("https://x/y?Policy=a&b=2")).toBe("https://x/y?b=2");
    expect(redactUrlParams("https://x/y?b=2&time=3#f")).toBe("https://x/y?b=2#f");
    expect(redactUrlParams("https://x/y?token=1#f")).toBe("https://x/y#f");
    expect(redactUrlParams("plain text, time = 5")).toBe("plain text, time = 5");
  });
});
