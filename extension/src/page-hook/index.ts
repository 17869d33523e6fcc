/**
 * page-hook.js: runs in the page's own JavaScript world at `document_start`, before any page
 * script. It wraps fetch, XMLHttpRequest and WebSocket to capture chat traffic (redacted, then
 * posted as `_OF_FORWARDER_` on the private port the content script handed over:
 * `shared/page-channel.ts`), executes `_OF_BACKEND_` commands arriving on that port through the
 * page's composer using the original, unpatched functions it saved first, and runs the history
 * backfill's steps through the app's own store, one at a time (`backfill-step.ts`).
 */
import type { BackfillResult, BackfillStep } from "../shared/backfill-protocol";
import { acceptPort } from "../shared/page-channel";
import { isBackendMessage, type CommandOutcome, type SendMessageCommand } from "../shared/protocol";
import { DEFAULT_STEP_TIMING, runBackfillStep, type StepTiming } from "./backfill-step";
import { HookChannel } from "./channel";
import { DEFAULT_TIMING, executeCommand, type ExecutorEnv } from "./executor";
import { hookFetch } from "./fetch-hook";
import { CaptureHub } from "./hub";
import { hookWebSocket } from "./websocket-hook";
import { hookXhr } from "./xhr-hook";

export type HookWindow = Window & typeof globalThis;

export interface InstalledHook {
  hub: CaptureHub;
  originalFetch: typeof fetch;
  execute(command: SendMessageCommand): Promise<CommandOutcome>;
  backfillStep(step: BackfillStep): Promise<BackfillResult>;
}

/** Install everything on `win` and start listening for commands and backfill steps. */
export function installPageHook(
  win: HookWindow,
  timing = DEFAULT_TIMING,
  stepTiming: StepTiming = DEFAULT_STEP_TIMING,
): InstalledHook {
  // Originals first: later page scripts may replace any of these.
  const env: Omit<ExecutorEnv, "hub"> = {
    win,
    doc: win.document,
    pushState: win.history.pushState,
    execCommand: win.document.execCommand,
    setTimeout: win.setTimeout.bind(win),
    timing,
  };
  const channel = new HookChannel((message) => onBackend(message));
  const hub = new CaptureHub((message) => channel.post(message));
  const originalFetch = hookFetch(win, hub);
  hookXhr(win, hub);
  hookWebSocket(win, hub);

  const executor: ExecutorEnv = { ...env, hub };
  const results = new Map<string, CommandOutcome | null>();
  let queue: Promise<unknown> = Promise.resolve();

  // One command at a time: there is one composer. A commandId seen before in this page is
  // not executed again (the background enforces this durably; this is a second fence).
  const execute = (command: SendMessageCommand): Promise<CommandOutcome> => {
    const known = results.get(command.commandId);
    if (known) return Promise.resolve(known);
    if (known === null) {
      return Promise.resolve({
        commandId: command.commandId,
        status: "rejected",
        detail: { reason: "already executing in this page" },
      });
    }
    results.set(command.commandId, null);
    const run = queue.then(() => executeCommand(command, executor));
    queue = run.catch(() => undefined);
    return run.then(
      (outcome) => {
        results.set(command.commandId, outcome);
        return outcome;
      },
      (error: unknown) => {
        const outcome: CommandOutcome = {
          commandId: command.commandId,
          status: "failed",
          detail: { reason: "executor error", error: String(error) },
        };
        results.set(command.commandId, outcome);
        return outcome;
      },
    );
  };

  // Backfill steps, one at a time, each reported once its capture was posted.
  let steps: Promise<unknown> = Promise.resolve();
  const stepEnv = { doc: win.document, hub, setTimeout: env.setTimeout, timing: stepTiming };
  const backfillStep = (step: BackfillStep): Promise<BackfillResult> => {
    const run = steps.then(() => runBackfillStep(step, stepEnv));
    steps = run.catch(() => undefined);
    return run;
  };

  // Only what arrives on the private port: a page script can post anything on `window`.
  function onBackend(message: unknown): void {
    if (!isBackendMessage(message)) return;
    if (message.type === "backfill_step") {
      void backfillStep(message.step).then((result) => hub.backfillResult(result));
      return;
    }
    const command = message.command;
    const pending = results.get(command.commandId) === null;
    if (pending) return; // the first delivery reports when done
    void execute(command).then((outcome) => hub.commandResult(outcome));
  }
  acceptPort(win, (port) => channel.attach(port));

  return { hub, originalFetch, execute, backfillStep };
}
