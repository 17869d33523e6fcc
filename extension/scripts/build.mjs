// Bundles the extension into dist/ (load unpacked from there).
//   node scripts/build.mjs            one build
//   node scripts/build.mjs --watch    rebuild on change
// OFCA_DASHBOARD_MATCHES="https://dash.example.com/*,…" adds externally_connectable matches
// for a dashboard that is not on localhost / 127.0.0.1.
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = `${root}dist/`;
const watch = process.argv.includes("--watch");

const common = {
  bundle: true,
  target: "chrome116",
  platform: "browser",
  sourcemap: "linked",
  legalComments: "none",
  logLevel: "info",
};
const builds = [
  // Content scripts cannot be modules: one self-contained IIFE each.
  { entryPoints: { "page-hook": "src/entries/page-hook.ts" }, format: "iife" },
  { entryPoints: { content: "src/entries/content.ts" }, format: "iife" },
  { entryPoints: { background: "src/entries/background.ts" }, format: "esm" },
  { entryPoints: { options: "src/ui/options.ts", popup: "src/ui/popup.ts" }, format: "iife" },
];

async function writeManifest() {
  const manifest = JSON.parse(await readFile(`${root}manifest.json`, "utf8"));
  const extra = (process.env.OFCA_DASHBOARD_MATCHES ?? "")
    .split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  manifest.externally_connectable.matches.push(...extra);
  await writeFile(`${dist}manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
}

async function copyStatic() {
  for (const name of await readdir(`${root}static`)) {
    await copyFile(`${root}static/${name}`, `${dist}${name}`);
  }
}

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await writeManifest();
await copyStatic();
const options = builds.map((b) => ({ ...common, ...b, absWorkingDir: root, outdir: dist }));
if (watch) {
  for (const o of options) await (await esbuild.context(o)).watch();
} else {
  await Promise.all(options.map((o) => esbuild.build(o)));
}
