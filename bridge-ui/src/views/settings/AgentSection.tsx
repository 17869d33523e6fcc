/**
 * The Agent (Chrome extension) as this browser reaches it: its id (build-time
 * `VITE_EXTENSION_ID`, overridable here) and a check that it answers (`get_all_chats_from_db`).
 * The Agent streams every change to the Brain itself; nothing here makes it re-send its data.
 */
import { useState } from "react";
import { extensionFailureText } from "../../components/extensionText";
import { extension } from "../../services/extension";
import type { ExtensionResult } from "../../services/ExtensionService";
import { builtInExtensionId, extensionId, storeExtensionId } from "../../services/session";
import { useChatStore } from "../../store/useChatStore";

export function describeAgentCheck(result: ExtensionResult): string {
  if (!result.ok) return extensionFailureText(result);
  const response = result.response as { data?: { chats?: unknown } } | null;
  const chats = Array.isArray(response?.data?.chats) ? response.data.chats.length : null;
  const held = chats === null ? "" : ` It holds ${chats.toLocaleString("en-US")} chats.`;
  return `The Agent in this browser answered.${held} It sends every change to the Brain as it happens.`;
}

export function AgentSection() {
  const [id, setId] = useState(extensionId());
  const [saved, setSaved] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const agentOnline = useChatStore((s) => s.brain.agentOnline);
  const builtIn = builtInExtensionId();

  const check = async () => {
    setBusy(true);
    setResult(describeAgentCheck(await extension.getAllChatsFromDb()));
    setBusy(false);
  };

  return (
    <section className="card" aria-label="Agent">
      <h2>Agent (Chrome extension)</h2>
      <p className="muted small">
        The Brain says the Agent is{" "}
        <strong>{agentOnline === null ? "unknown" : agentOnline ? "online" : "offline"}</strong>.
        This browser talks to the extension directly only to check it and to ask for a history
        backfill; messages to fans
        always go through the Brain, which keeps the audit log and sends each message at most once.
      </p>
      <label>
        Extension id
        <input
          value={id}
          placeholder={builtIn || "not configured"}
          spellCheck={false}
          onChange={(e) => {
            setId(e.target.value);
            setSaved(false);
          }}
        />
        <span className="muted small">
          {builtIn ? `Built-in: ${builtIn}. ` : "No id was built in (VITE_EXTENSION_ID). "}
          Stored in this browser only.
        </span>
      </label>
      <div className="form-actions">
        <button
          type="button"
          onClick={() => {
            storeExtensionId(id === builtIn ? "" : id);
            setSaved(true);
          }}
        >
          Save id
        </button>
        {saved && <span className="ok">Saved.</span>}
        <button type="button" onClick={() => void check()} disabled={busy}>
          {busy ? "Asking…" : "Check this browser's Agent"}
        </button>
      </div>
      {result && (
        <p className="small" role="status" data-testid="extension-result">
          {result}
        </p>
      )}
    </section>
  );
}
