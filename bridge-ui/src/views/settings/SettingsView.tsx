/**
 * Settings: the creator's (auto-send, retention, restricted words), the Agent link, the history
 * backfill, and data.
 */
import { AgentSection } from "./AgentSection";
import { BackfillSection } from "./BackfillSection";
import { CreatorSettingsForm } from "./CreatorSettingsForm";
import { DataSection } from "./DataSection";

export function SettingsView({ userId }: { userId: string }) {
  return (
    <div className="settings" data-testid="settings-view">
      <div className="view-head">
        <h1>Settings</h1>
        <span className="muted">Creator {userId}</span>
      </div>
      <CreatorSettingsForm userId={userId} />
      <AgentSection />
      <BackfillSection />
      <DataSection userId={userId} />
    </div>
  );
}
