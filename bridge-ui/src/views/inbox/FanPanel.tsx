/**
 * The fan's profile with this creator (`GET …/fans/{chatId}`): money, segment, churn risk, with a
 * note while the chat's older history is not captured (the figures then cover part of it).
 */
import { historyIncomplete } from "../../components/coverageText";
import { formatDateTime, formatMoney, formatShare, formatSentiment } from "../../components/format";
import { Failure, Loading } from "../../components/StateMessage";
import { useAsync } from "../../hooks/useAsync";
import { api } from "../../services/api";
import { useChatStore } from "../../store/useChatStore";

export function FanPanel({ userId, chatId }: { userId: string; chatId: string }) {
  const lastAt = useChatStore((s) => s.conversations.get(chatId)?.lastMessage?.at ?? "");
  // Spend, counts and first message cover only what is captured until the history is complete.
  const partial = useChatStore((s) => historyIncomplete(s.conversations.get(chatId)?.history));
  const profile = useAsync((signal) => api.fan(userId, chatId, signal), [userId, chatId, lastAt]);
  const fan = profile.data;

  return (
    <aside className="fan-panel" aria-label="Fan" data-testid="fan-panel">
      <h3>Fan</h3>
      {!fan && profile.status === "loading" && <Loading what="the fan" />}
      {!fan && profile.status === "error" && (
        <Failure error={profile.error} onRetry={profile.reload} />
      )}
      {fan && (
        <>
          <dl className="facts">
            <dt>Lifetime spend</dt>
            <dd className="big" data-testid="lifetime-spend">
              {formatMoney(fan.lifetimeSpend)}
            </dd>
            {partial && (
              <dd className="muted small facts-note" data-testid="fan-partial">
                From the captured messages only: older history not captured yet.
              </dd>
            )}
            <dt>Tips · PPV</dt>
            <dd>
              {formatMoney(fan.tips)} · {formatMoney(fan.ppv)}
            </dd>
            <dt>Segment</dt>
            <dd>
              {fan.segment ? (
                <span className={`tag seg-${fan.segment}`}>{fan.segment}</span>
              ) : (
                "not scored yet"
              )}
            </dd>
            <dt>RFM tier</dt>
            <dd>{fan.rfm ?? "—"}</dd>
            <dt>Churn risk</dt>
            <dd className={(fan.churnRisk ?? 0) >= 0.6 ? "warn" : undefined}>
              {formatShare(fan.churnRisk)}
            </dd>
            <dt>Messages</dt>
            <dd>{fan.messages}</dd>
            <dt>Sentiment</dt>
            <dd>{formatSentiment(fan.conversation.sentimentMean)}</dd>
            <dt>First · last message</dt>
            <dd>
              {formatDateTime(fan.firstMessageAt)} · {formatDateTime(fan.lastMessageAt)}
            </dd>
          </dl>
          {(fan.churnReasons ?? []).length > 0 && (
            <section>
              <h4>Why they may leave</h4>
              <ul className="reasons">
                {(fan.churnReasons ?? []).map((r) => (
                  <li key={r}>{r.replaceAll("_", " ")}</li>
                ))}
              </ul>
            </section>
          )}
          {(fan.priorityReasons ?? []).length > 0 && (
            <section>
              <h4>Why answer now</h4>
              <ul className="reasons">
                {(fan.priorityReasons ?? []).map((r) => (
                  <li key={r}>{r.replaceAll("_", " ")}</li>
                ))}
              </ul>
            </section>
          )}
          <section>
            <h4>Topics</h4>
            {fan.topics.length ? (
              <p className="tags">
                {fan.topics.map((t) => (
                  <span key={t} className="tag">
                    {t}
                  </span>
                ))}
              </p>
            ) : (
              <p className="muted small">None detected yet.</p>
            )}
          </section>
          {profile.status === "error" && (
            <p className="muted small">Could not refresh: {profile.error}</p>
          )}
        </>
      )}
    </aside>
  );
}
