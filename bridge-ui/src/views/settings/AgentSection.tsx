/**
 * The Agent (Chrome extension) as this browser reaches it: its id (build-time
 * `VITE_EXTENSION_ID`, overridable here) and a resync request (`get_all_chats_from_db`).
 */
import { useState } from "react";
import { extensionFailureText } from "../../components/extensionText";
import { extension } from "../../services/extension";
import type { ExtensionResult } from "../../services/ExtensionService";
import { builtInExtensionId, extensionId, storeExtensionId } from "../../services/session";
import { useChatStore } from "../../store/useChatStore";

function describe(result: ExtensionResult): string {
  return result.ok
    ? "The Agent answered: it sends its stored chats to the Brain now."
    : extensionFailureText(result);
}

export function AgentSection() {
  const [id, setId] = useState(extensionId());
  const [saved, setSaved] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const agentOnline = useChatStore((s) => s.brain.agentOnline);
  const builtIn = builtInExtensionId();

  const resync = async () => {
    setBusy(true);
    setResult(describe(await extension.getAllChatsFromDb()));
    setBusy(false);
  };

  return (
    <section className="card" aria-label="Agent">
      <h2>Agent (Chrome extension)</h2>
      <p className="muted small">
        The Brain says the Agent is{" "}
        <strong>{agentOnline === null ? "unknown" : agentOnline ? "online" : "offline"}</strong>.
        This browser talks to the extension directly only to ask for a resync; messages to fans
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
        <button type="button" onClick={() => void resync()} disabled={busy}>
          {busy ? "Asking…" : "Ask the Agent to resync"}
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
