import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { renderReadAsks, renderReadDecisions } from "../../src/ui/read-origins-view";

const hostile = 'http://localhost:3000"><img src=x onerror=alert(1)>';

describe("the creator's view of pages that ask to read", () => {
  it("shows each request as text with Allow and Deny, and sends the answer", async () => {
    const doc = new JSDOM("<div id=asks></div>").window.document;
    const asks = doc.getElementById("asks") as HTMLElement;
    const sent: unknown[] = [];
    renderReadAsks(asks, { pending: [{ origin: hostile, at: 1 }], decisions: {} }, async (m) => void sent.push(m));
    expect(asks.querySelector("img")).toBeNull();
    expect(asks.textContent).toContain(`${hostile} asks to read your chats.`);
    (asks.querySelector('[data-action="allow"]') as HTMLButtonElement).click();
    (asks.querySelector('[data-action="deny"]') as HTMLButtonElement).click();
    expect(sent).toEqual([
      { type: "read_origin_decide", origin: hostile, allow: true },
      { type: "read_origin_decide", origin: hostile, allow: false },
    ]);
  });

  it("lists every answer with a way to revoke it", () => {
    const doc = new JSDOM("<ul id=list></ul><p id=none></p>").window.document;
    const list = doc.getElementById("list") as HTMLElement;
    const none = doc.getElementById("none") as HTMLElement;
    const sent: unknown[] = [];
    const view = { pending: [], decisions: { "http://localhost:3000": "allowed" as const, "http://localhost:4000": "denied" as const } };
    renderReadDecisions(list, none, view, async (m) => void sent.push(m));
    expect(none.hidden).toBe(true);
    expect([...list.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "http://localhost:3000: may read your chats Revoke",
      "http://localhost:4000: denied Forget",
    ]);
    (list.querySelector('[data-origin="http://localhost:3000"]') as HTMLButtonElement).click();
    expect(sent).toEqual([{ type: "read_origin_forget", origin: "http://localhost:3000" }]);
    renderReadDecisions(list, none, { pending: [], decisions: {} }, async () => undefined);
    expect(none.hidden).toBe(false);
  });
});
