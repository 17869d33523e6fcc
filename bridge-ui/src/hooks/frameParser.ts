/** Turns a socket message into a typed frame, or null for anything that is not one. */
import type { OutgoingWssMessage } from "../wire";

export function parseFrame(data: unknown): OutgoingWssMessage | null {
  if (typeof data !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (
    typeof value === "object" &&
    value !== null &&
    "type" in value &&
    typeof value.type === "string" &&
    "payload" in value
  ) {
    // The envelope is checked; payloads are trusted to match the schema they were generated from.
    return value as OutgoingWssMessage;
  }
  return null;
}
