/** `GET/PUT …/settings`: auto-send (with the plain warning), retention, restricted words. */
import { type FormEvent, useEffect, useState } from "react";
import { Failure, Loading } from "../../components/StateMessage";
import { useAsync } from "../../hooks/useAsync";
import { api } from "../../services/api";
import { errorMessage } from "../../services/errors";
import type { CreatorSettings } from "../../wire";

interface Form {
  autoSend: boolean;
  retention: string; // days; empty: keep forever
  words: string; // one per line
}

function toForm(s: CreatorSettings): Form {
  return {
    autoSend: s.autoSend ?? false,
    retention: s.retentionDays ? String(s.retentionDays) : "",
    words: (s.restrictedWords ?? []).join("\n"),
  };
}

function toSettings(f: Form): CreatorSettings {
  const words = f.words
    .split(/[\n,]/)
    .map((w) => w.trim())
    .filter(Boolean);
  return {
    autoSend: f.autoSend,
    retentionDays: f.retention.trim() ? Number(f.retention) : null,
    restrictedWords: [...new Set(words)],
  };
}

export function CreatorSettingsForm({ userId }: { userId: string }) {
  const loaded = useAsync((signal) => api.settings(userId, signal), [userId]);
  const [form, setForm] = useState<Form | null>(null);
  const [saving, setSaving] = useState<"idle" | "saving" | "saved" | { error: string }>("idle");

  useEffect(() => {
    if (loaded.data) setForm(toForm(loaded.data));
  }, [loaded.data]);

  if (!form) {
    return (
      <section className="card">
        <h2>Creator settings</h2>
        {loaded.status === "error" ? (
          <Failure error={loaded.error} onRetry={loaded.reload} />
        ) : (
          <Loading what="settings" />
        )}
      </section>
    );
  }
  const retention = form.retention.trim() ? Number(form.retention) : null;
  const retentionValid =
    retention === null || (Number.isInteger(retention) && retention >= 1 && retention <= 3650);
  const change = (next: Partial<Form>) => {
    setForm({ ...form, ...next });
    setSaving("idle");
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!retentionValid) return;
    setSaving("saving");
    try {
      setForm(toForm(await api.saveSettings(userId, toSettings(form))));
      setSaving("saved");
    } catch (error) {
      setSaving({ error: errorMessage(error) });
    }
  };

  return (
    <form
      className="card settings-form"
      onSubmit={(e) => void save(e)}
      aria-label="Creator settings"
    >
      <h2>Creator settings</h2>
      <div className={`auto-send${form.autoSend ? " on" : ""}`}>
        <label className="toggle">
          <input
            type="checkbox"
            role="switch"
            checked={form.autoSend}
            onChange={(e) => change({ autoSend: e.target.checked })}
          />
          Auto-send AI drafts without a human
        </label>
        <p className="warning" role="note">
          ⚠ OnlyFans' terms of service forbid AI chatbots writing to fans on their own. With this
          on, drafts that pass the safety filter are sent without anyone reading them first, which
          can get the creator's account restricted or banned. Leave it off unless the creator
          decided otherwise knowingly; every automatic send is in the audit log.
        </p>
      </div>
      <label>
        Keep messages for (days)
        <input
          type="number"
          min={1}
          max={3650}
          placeholder="forever"
          value={form.retention}
          aria-invalid={!retentionValid}
          onChange={(e) => change({ retention: e.target.value })}
        />
        <span className="muted small">
          Empty keeps everything. Older messages are deleted everywhere in the Brain.
        </span>
      </label>
      <label>
        Restricted words (one per line)
        <textarea rows={5} value={form.words} onChange={(e) => change({ words: e.target.value })} />
        <span className="muted small">A draft containing one is blocked and never auto-sent.</span>
      </label>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={!retentionValid || saving === "saving"}>
          {saving === "saving" ? "Saving…" : "Save"}
        </button>
        {saving === "saved" && <span className="ok">Saved.</span>}
        {typeof saving === "object" && <span className="form-error">{saving.error}</span>}
      </div>
    </form>
  );
}
