/**
 * Which web pages may read the captured chats (`get_all_chats_from_db`,
 * `get_all_messages_from_db`, `get_capture_status`), besides the dashboards the creator
 * configured (the origin of `brainUrl`, and `dashboardOrigins`).
 *
 * Chrome lets any page on `http://localhost` or `http://127.0.0.1` (the manifest's
 * `externally_connectable`) message the Agent, and another local web server in the creator's
 * browser is not their dashboard. So a read from any other origin is refused and recorded as a
 * request; the popup asks "<origin> asks to read your chats — Allow / Deny", the answer is
 * remembered per origin (`readOrigins` in `chrome.storage.local`), and the options page lists
 * the answers, each revocable. Pending requests sit in `readOriginRequests` (at most 20, the
 * newest, one per origin); a badge on the action icon says there is one.
 */
import { isObject } from "../shared/json";
import type { StorageArea } from "../shared/settings";

export type ReadDecision = "allowed" | "denied";

export interface ReadOriginRequest {
  origin: string;
  at: number;
}

export interface ReadOriginsView {
  pending: ReadOriginRequest[];
  decisions: Record<string, ReadDecision>;
}

const DECISIONS = "readOrigins";
const REQUESTS = "readOriginRequests";
const MAX_PENDING = 20;

function decisionsOf(raw: unknown): Record<string, ReadDecision> {
  const out: Record<string, ReadDecision> = {};
  if (!isObject(raw)) return out;
  for (const [origin, value] of Object.entries(raw)) {
    if (value === "allowed" || value === "denied") out[origin] = value;
  }
  return out;
}

function requestsOf(raw: unknown): ReadOriginRequest[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (r): r is ReadOriginRequest => isObject(r) && typeof r.origin === "string" && typeof r.at === "number",
  );
}

export class ReadOrigins {
  constructor(
    private readonly storage: StorageArea,
    /** Called whenever the pending requests change (the badge). */
    private readonly changed: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  async view(): Promise<ReadOriginsView> {
    const raw = await this.storage.get([DECISIONS, REQUESTS]);
    return { pending: requestsOf(raw[REQUESTS]), decisions: decisionsOf(raw[DECISIONS]) };
  }

  /** The creator's answer for `origin`; without one, the read is recorded as a request. */
  async check(origin: string): Promise<ReadDecision | "asked"> {
    const { pending, decisions } = await this.view();
    const decided = decisions[origin];
    if (decided) return decided;
    if (!pending.some((r) => r.origin === origin)) {
      const next = [...pending, { origin, at: this.now() }].slice(-MAX_PENDING);
      await this.storage.set({ [REQUESTS]: next });
      this.changed();
    }
    return "asked";
  }

  /** The creator allowed or denied `origin` (popup). */
  async decide(origin: string, decision: ReadDecision): Promise<void> {
    const { pending, decisions } = await this.view();
    await this.storage.set({
      [DECISIONS]: { ...decisions, [origin]: decision },
      [REQUESTS]: pending.filter((r) => r.origin !== origin),
    });
    this.changed();
  }

  /** The creator revoked an answer (options): the next read from `origin` asks again. */
  async forget(origin: string): Promise<void> {
    const { decisions } = await this.view();
    const rest = Object.fromEntries(Object.entries(decisions).filter(([o]) => o !== origin));
    await this.storage.set({ [DECISIONS]: rest });
    this.changed();
  }

  async hasPending(): Promise<boolean> {
    return (await this.view()).pending.length > 0;
  }
}
