import { describe, expect, it } from "vitest";
import { describeAgentCheck } from "./AgentSection";

describe("describeAgentCheck", () => {
  it("says how many chats the Agent holds and never promises a re-send", () => {
    const text = describeAgentCheck({ ok: true, response: { ok: true, data: { chats: [{}, {}, {}] } } });
    expect(text).toContain("It holds 3 chats.");
    expect(text).not.toMatch(/sends its stored chats/);
  });

  it("answers without a count when the reply has none", () => {
    expect(describeAgentCheck({ ok: true, response: null })).toBe(
      "The Agent in this browser answered. It sends every change to the Brain as it happens.",
    );
  });
});
