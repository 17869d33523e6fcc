/** Export everything the Brain holds (`GET …/export`) or delete it (`DELETE …/data?confirm=`). */
import { type FormEvent, useState } from "react";
import { api, saveBlob } from "../../services/api";
import { errorMessage } from "../../services/errors";
import type { DeletionReport } from "../../wire";

type What = "all" | "conversations" | "fans" | "messages";
const EXPORTS: { what: What; format: "json" | "csv"; label: string }[] = [
  { what: "all", format: "json", label: "Everything (JSON)" },
  { what: "conversations", format: "csv", label: "Conversations (CSV)" },
  { what: "fans", format: "csv", label: "Fans (CSV)" },
  { what: "messages", format: "csv", label: "Messages (CSV)" },
];

export function DataSection({ userId }: { userId: string }) {
  const [exporting, setExporting] = useState<string | null>(null);
  const [confirm, setConfirm] = useState("");
  const [deleting, setDeleting] = useState(false);
  const [report, setReport] = useState<DeletionReport | { error: string } | null>(null);

  const download = async (what: What, format: "json" | "csv") => {
    setExporting(`Preparing ${what}…`);
    try {
      saveBlob(await api.export(userId, what, format), `ofca-${userId}-${what}.${format}`);
      setExporting(null);
    } catch (error) {
      setExporting(`Export failed: ${errorMessage(error)}`);
    }
  };

  const remove = async (event: FormEvent) => {
    event.preventDefault();
    if (confirm !== userId) return;
    setDeleting(true);
    try {
      setReport(await api.deleteData(userId, confirm));
      setConfirm("");
    } catch (error) {
      setReport({ error: errorMessage(error) });
    }
    setDeleting(false);
  };

  return (
    <section className="card" aria-label="Data">
      <h2>Your data</h2>
      <div className="form-actions">
        {EXPORTS.map((e) => (
          <button key={e.label} type="button" onClick={() => void download(e.what, e.format)}>
            Export {e.label}
          </button>
        ))}
      </div>
      {exporting && <p className="small muted">{exporting}</p>}
      <form className="danger-zone" onSubmit={(e) => void remove(e)}>
        <h3>Delete all data of this creator</h3>
        <p className="small">
          Removes every message, score, draft and command record of creator{" "}
          <strong>{userId}</strong> from the Brain and tells the Agent to clear its local copy. This
          cannot be undone. Type the creator id to confirm.
        </p>
        <input
          aria-label="Type the creator id to confirm"
          placeholder={userId}
          value={confirm}
          autoComplete="off"
          onChange={(e) => setConfirm(e.target.value)}
        />
        <button type="submit" className="danger" disabled={confirm !== userId || deleting}>
          {deleting ? "Deleting…" : "Delete everything"}
        </button>
      </form>
      {report && "error" in report && <p className="form-error">{report.error}</p>}
      {report && "deleted" in report && (
        <div className="small" role="status">
          Deleted:
          <ul>
            {report.deleted.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
