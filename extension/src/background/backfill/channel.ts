/**
 * The backfill's way to a page: find a visible OnlyFans tab (its content script answers
 * `{type:"probe"}` with `{visible}`), hand it one step (`{type:"backfill_step", step}`), and
 * wait for that step's `backfill_result` (relayed by the background's message listener to
 * `onResult`), or a timeout.
 */
import { failedStep, type BackfillResult } from "../../shared/backfill-protocol";
import { isObject } from "../../shared/json";
import { OF_TABS, type TabInfo, type TabsApi } from "../commands";
import { newRef } from "../outbox";
import type { Clock } from "./clock";
import { toStep, type StepSpec } from "./walk";

export const STEP_TIMEOUT_MS = 90_000;

export const NO_TAB = "no OnlyFans tab is open";
export const TAB_HIDDEN = "the OnlyFans tab is hidden";

export class StepChannel {
  private readonly pending = new Map<string, (result: BackfillResult) => void>();

  constructor(
    private readonly tabs: TabsApi,
    private readonly clock: Clock,
    private readonly timeoutMs = STEP_TIMEOUT_MS,
  ) {}

  /** A `backfill_result` relayed from a tab. */
  onResult(result: BackfillResult): void {
    this.pending.get(result.stepId)?.(result);
  }

  /** A visible OnlyFans tab's id (the active one first), or why there is none. */
  async visibleTab(): Promise<number | string> {
    const tabs = (await this.tabs.query({ url: OF_TABS })).filter(
      (tab): tab is TabInfo & { id: number } => typeof tab.id === "number",
    );
    if (tabs.length === 0) return NO_TAB;
    const rank = (tab: TabInfo): number => (tab.active ? 1 : 0);
    tabs.sort((a, b) => rank(b) - rank(a) || (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
    for (const tab of tabs) {
      try {
        const answer: unknown = await this.tabs.sendMessage(tab.id, { type: "probe" }, { frameId: 0 });
        if (isObject(answer) && answer.visible === true) return tab.id;
      } catch {
        // no content script there (opened before the extension loaded)
      }
    }
    return TAB_HIDDEN;
  }

  /** Run one step in `tabId`; never throws (a failure is a failed result). */
  async send(tabId: number, spec: StepSpec): Promise<BackfillResult> {
    const stepId = newRef("s");
    const answer = new Promise<BackfillResult>((resolve) => this.pending.set(stepId, resolve));
    try {
      await this.tabs.sendMessage(tabId, { type: "backfill_step", step: toStep(stepId, spec) }, { frameId: 0 });
    } catch {
      this.pending.delete(stepId);
      return failedStep(stepId, "tab_unreachable");
    }
    const abort = new AbortController();
    const timeout = this.clock.sleep(this.timeoutMs, abort.signal).then(() => failedStep(stepId, "timeout"));
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      abort.abort();
      this.pending.delete(stepId);
    }
  }
}
