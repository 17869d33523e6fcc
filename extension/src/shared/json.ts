/** Plain JSON values as they cross a boundary, and the guards every receiver uses. */

export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An OnlyFans id: a safe integer, or a short token of letters, digits, `_` and `-`. */
export function isId(value: unknown): value is number | string {
  return (
    (typeof value === "number" && Number.isSafeInteger(value)) ||
    (typeof value === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(value))
  );
}
