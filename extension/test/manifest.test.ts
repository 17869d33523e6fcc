import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { extensionId } from "../scripts/extension-id.mjs";

const root = new URL("../", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", root), "utf8"));

describe("manifest.json", () => {
  it("declares the MV3 shape the Agent needs", () => {
    expect(manifest).toMatchObject({
      manifest_version: 3,
      minimum_chrome_version: "116",
      background: { service_worker: "background.js", type: "module" },
      host_permissions: ["https://onlyfans.com/*"],
      externally_connectable: { matches: ["http://127.0.0.1/*", "http://localhost/*"] },
      options_page: "options.html",
      action: { default_popup: "popup.html" },
    });
    expect(manifest.permissions).toEqual(expect.arrayContaining(["storage", "tabs"]));
    expect(manifest.content_scripts).toEqual([
      { matches: ["https://onlyfans.com/*"], js: ["page-hook.js"], world: "MAIN", run_at: "document_start" },
      { matches: ["https://onlyfans.com/*"], js: ["content.js"], run_at: "document_start" },
    ]);
  });

  it("has a fixed key whose extension id the README documents", () => {
    const id = extensionId(manifest.key) as string;
    expect(id).toMatch(/^[a-p]{32}$/);
    expect(readFileSync(new URL("README.md", root), "utf8")).toContain(id);
  });
});

describe("generated wire types", () => {
  it("match contracts/schemas (npm run sync:ws)", () => {
    expect(() =>
      execFileSync(process.execPath, ["scripts/sync-ws.mjs", "--check"], { cwd: new URL(".", root), stdio: "pipe" }),
    ).not.toThrow();
  });
});
