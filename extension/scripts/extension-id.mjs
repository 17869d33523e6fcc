// Prints the extension id Chrome derives from manifest.json's `key`:
// the first 32 hex digits of SHA-256(public key DER), each digit 0-f written as a-p.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

export function extensionId(base64Key) {
  const hex = createHash("sha256").update(Buffer.from(base64Key, "base64")).digest("hex");
  return [...hex.slice(0, 32)].map((d) => String.fromCharCode(97 + parseInt(d, 16))).join("");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const manifest = JSON.parse(readFileSync(new URL("../manifest.json", import.meta.url), "utf8"));
  console.log(extensionId(manifest.key));
}
