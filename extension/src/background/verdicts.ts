/**
 * Before executing any command, whichever path brought it (the socket's `command_to_execute`,
 * the dashboard's `execute_agent_command`), the Agent asks the Brain on its socket:
 * `{type:"command_check", ref, payload:{commandId, via, installId}}`, answered by
 * `{type:"command_verdict", payload:{commandId, executable, reason, state}}`. It executes only
 * on `executable: true`: the Brain says yes only for a command it issued for this creator that
 * is still executable (not expired, not final, not granted to another Agent).
 *
 * Anything else is a no: an unknown id, another creator's command, no socket, a closed
 * socket, an error, or no answer in time. A script on the dashboard's origin can therefore no
 * longer have the Agent send a message the Brain never approved.
 */
import { isObject, type SendMessageCommand } from "../shared/protocol";
import type { BrainConnection } from "./connection";
import { newRef } from "./outbox";

export type Via = "socket" | "bridge";
export type Verdict = { executable: true } | { executable: false; reason: string };

export interface VerdictDeps {
  /** The open socket to the Brain, if any. */
  connection: () => BrainConnection | null;
  /** The creator whose socket it is (the token's). */
  socketCreator: () => string | null;
  /** This installation's id in `creatorId`'s database. */
  installId: (creatorId: string) => Promise<string>;
  timeoutMs: number;
}

export const DEFAULT_VERDICT_TIMEOUT_MS = 15_000;

const refused = (reason: string): Verdict => ({ executable: false, reason });

/** Ask the Brain whether `command` may be executed now. Never throws: a failure is a no. */
export async function askBrain(command: SendMessageCommand, via: Via, deps: VerdictDeps): Promise<Verdict> {
  const creator = deps.socketCreator();
  const conn = deps.connection();
  if (!conn?.isOpen || creator === null) return refused("not connected to the Brain: it cannot confirm the command");
  if (String(command.userId) !== creator) return refused("the command is for another creator than the Agent token's");
  const { commandId } = command;
  const ref = newRef("chk");
  const payload = { commandId, via, installId: await deps.installId(creator) };
  const text = JSON.stringify({ type: "command_check", ref, payload });
  const answer = await conn.ask(
    ref,
    text,
    (frame) => frame.type === "command_verdict" && isObject(frame.payload) && frame.payload.commandId === commandId,
    deps.timeoutMs,
  );
  switch (answer.kind) {
    case "frame": {
      const verdict: unknown = answer.frame.payload;
      if (isObject(verdict) && verdict.executable === true) return { executable: true };
      const reason = isObject(verdict) && typeof verdict.reason === "string" ? verdict.reason : "";
      return refused(reason || "the Brain refused it");
    }
    case "error":
      return refused(`the Brain could not check it (${answer.code})`);
    case "closed":
      return refused("the connection to the Brain closed before it answered");
    default:
      return refused("the Brain did not confirm the command in time");
  }
}
