// ---------------------------------------------------------------- signing and requests

function bcToken() {
  // OnlyFans keeps this fingerprint in localStorage and sends it as x-bc.
  let value = localStorage.getItem("bcTokenSha");
  if (value !== CONFIG.xbc) {
    localStorage.setItem("bcTokenSha", CONFIG.xbc);
    value = CONFIG.xbc;
  }
  return value;
}

async function sha1Hex(text) {
  const bytes = new TextEncoder().encode(text);
  if (!window.crypto || !window.crypto.subtle) return sha1HexFallback(bytes); // not secure
  const digest = await crypto.subtle.digest("SHA-1", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Plain SHA-1 (FIPS 180-4), only for a page that SubtleCrypto refuses (no secure context).
function sha1HexFallback(bytes) {
  const length = bytes.length;
  const blocks = ((length + 8) >> 6) + 1;
  const words = new Uint32Array(blocks * 16);
  for (let i = 0; i < length; i++) words[i >> 2] |= bytes[i] << (24 - (i % 4) * 8);
  words[length >> 2] |= 0x80 << (24 - (length % 4) * 8);
  words[blocks * 16 - 1] = length * 8;
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  const rotl = (x, n) => (x << n) | (x >>> (32 - n));
  for (let block = 0; block < blocks; block++) {
    for (let t = 0; t < 80; t++) {
      if (t < 16) w[t] = words[block * 16 + t];
      else w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    }
    let [a, b, c, d, e] = h;
    for (let t = 0; t < 80; t++) {
      let f, k;
      if (t < 20) [f, k] = [(b & c) | (~b & d), 0x5a827999];
      else if (t < 40) [f, k] = [b ^ c ^ d, 0x6ed9eba1];
      else if (t < 60) [f, k] = [(b & c) | (b & d) | (c & d), 0x8f1bbcdc];
      else [f, k] = [b ^ c ^ d, 0xca62c1d6];
      const temp = (rotl(a, 5) + f + e + k + w[t]) >>> 0;
      [e, d, c, b, a] = [d, c, rotl(b, 30) >>> 0, a, temp];
    }
    h[0] = (h[0] + a) >>> 0;
    h[1] = (h[1] + b) >>> 0;
    h[2] = (h[2] + c) >>> 0;
    h[3] = (h[3] + d) >>> 0;
    h[4] = (h[4] + e) >>> 0;
  }
  return h.map((x) => x.toString(16).padStart(8, "0")).join("");
}

async function signedHeaders(url) {
  const target = new URL(url, location.origin);
  const time = String(Date.now());
  const userId = String(CONFIG.userId);
  const payload = [CONFIG.signSecret, time, target.pathname + target.search, userId];
  return {
    accept: "application/json, text/plain, */*",
    "app-token": CONFIG.appToken,
    sign: await sha1Hex(payload.join("\n")),
    time: time,
    "user-id": userId,
    "x-bc": bcToken(),
  };
}

// Seconds from a Retry-After header (delay-seconds or an HTTP date); null when absent.
function retryAfterSeconds(header) {
  if (header === null || header === undefined || String(header).trim() === "") return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const when = Date.parse(header);
  return isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

class ApiError extends Error {
  constructor(status, body, retryAfter = null, message = "") {
    const detail = message || (body && body.error && body.error.message);
    super(`HTTP ${status}${detail ? ": " + detail : ""}`);
    this.name = "ApiError";
    this.status = status;
    this.retryAfter = retryAfter;
    this.body = body;
  }
}

function parseJson(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    return null;
  }
}

async function apiFetch(url, options = {}) {
  const headers = await signedHeaders(url);
  const init = { method: options.method || "GET", headers, credentials: "same-origin" };
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  let response;
  try {
    // window.fetch at call time: an extension's wrapper must see this request.
    response = await window.fetch(url, init);
  } catch (err) {
    throw new ApiError(0, null, null, String(err && err.message));
  }
  const body = parseJson(await response.text());
  if (!response.ok) {
    const retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
    throw new ApiError(response.status, body, retryAfter);
  }
  return body;
}

async function apiXhr(url) {
  const headers = await signedHeaders(url);
  return new Promise((resolve, reject) => {
    // new window.XMLHttpRequest at call time, for the same reason as fetch.
    const xhr = new window.XMLHttpRequest();
    xhr.open("GET", url);
    xhr.responseType = "text";
    xhr.withCredentials = true;
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.onload = () => {
      const body = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else {
        const retryAfter = retryAfterSeconds(xhr.getResponseHeader("retry-after"));
        reject(new ApiError(xhr.status, body, retryAfter));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, null, null, "network error"));
    xhr.send();
  });
}

function chatsUrl(offset) {
  return `${API}/chats?limit=${CHATS_PAGE}&offset=${offset}&order=recent&skip_users=all`;
}

function usersUrl(ids) {
  return `${API}/users/list?` + ids.map((id) => "m[]=" + encodeURIComponent(id)).join("&");
}

function messagesUrl(fanId, beforeId) {
  let url = `${API}/chats/${fanId}/messages?limit=${MESSAGES_PAGE}&order=desc&skip_users=all`;
  if (beforeId !== null && beforeId !== undefined) url += `&id=${beforeId}`; // older than it
  return url;
}
