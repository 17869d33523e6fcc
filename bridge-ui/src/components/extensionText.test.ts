import { describe, expect, it } from "vitest";
import { NOT_INSTALLED_MESSAGE } from "../services/ExtensionService";
import { extensionFailureText } from "./extensionText";

describe("extension failures in words", () => {
  it("says plainly that the extension is not installed, with Chrome's words when it gave some", () => {
    const missing = { ok: false, error: "not_installed", message: NOT_INSTALLED_MESSAGE } as const;
    expect(extensionFailureText(missing)).toBe(NOT_INSTALLED_MESSAGE);
    const chrome = { ...missing, message: "Receiving end does not exist." };
    expect(extensionFailureText(chrome)).toBe(
      `${NOT_INSTALLED_MESSAGE} (Chrome: Receiving end does not exist.)`,
    );
  });

  it("asks for an update when the extension does not know the request", () => {
    const message = "unknown message type request_backfill";
    const old = { ok: false, error: "rejected", message } as const;
    expect(extensionFailureText(old)).toMatch(/update the extension/);
    const refused = { ok: false, error: "rejected", message: "the Agent is paused" } as const;
    expect(extensionFailureText(refused)).toBe("The extension refused: the Agent is paused");
  });
});
