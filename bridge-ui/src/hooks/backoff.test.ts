import { describe, expect, it } from "vitest";
import { reconnectDelay } from "./backoff";

describe("reconnectDelay", () => {
  it("doubles per attempt and is capped", () => {
    const top = () => 1; // the largest jitter
    expect([0, 1, 2, 3, 10].map((n) => reconnectDelay(n, top))).toEqual([
      500, 1000, 2000, 4000, 15000,
    ]);
  });

  it("jitters between half and all of the ceiling", () => {
    expect(reconnectDelay(3, () => 0)).toBe(2000);
    expect(reconnectDelay(3, () => 0.5)).toBe(3000);
    expect(reconnectDelay(30, () => 0)).toBe(7500);
  });
});
