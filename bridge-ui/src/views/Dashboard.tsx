/**
 * The logged-in dashboard for one creator: the Bridge socket, the background loaders, the
 * navigation, the current view and the status bar.
 */
import { lazy, Suspense, useEffect } from "react";
import { StaleBanner } from "../components/StaleBanner";
import { StatusBar } from "../components/StatusBar";
import { useConversationPager } from "../hooks/useConversationPager";
import { useDraftsLoader } from "../hooks/useDraftsLoader";
import { routeHref, useHashRoute, type ViewName } from "../hooks/useHashRoute";
import { SocketContext } from "../hooks/socketContext";
import { useScoreRefresh } from "../hooks/useScoreRefresh";
import { useSocket } from "../hooks/useSocket";
import { useTokenCheck } from "../hooks/useTokenCheck";
import { bridgeSocketUrl } from "../services/session";
import { useChatStore } from "../store/useChatStore";
import { Loading } from "../components/StateMessage";
import { FansView } from "./fans/FansView";
import { InboxView } from "./inbox/InboxView";
import { SettingsView } from "./settings/SettingsView";

// The chart and graph libraries are most of the bundle: load them when their view opens.
const AnalyticsView = lazy(() =>
  import("./analytics/AnalyticsView").then((m) => ({ default: m.AnalyticsView })),
);
const GraphView = lazy(() => import("./graph/GraphView").then((m) => ({ default: m.GraphView })));

const NAV: { view: ViewName; label: string }[] = [
  { view: "inbox", label: "Inbox" },
  { view: "analytics", label: "Analytics" },
  { view: "fans", label: "Fans" },
  { view: "graph", label: "Graph" },
  { view: "settings", label: "Settings" },
];

export function Dashboard({
  token,
  userId,
  creators,
  onSwitchCreator,
  onLogout,
}: {
  token: string;
  userId: string;
  creators: readonly string[];
  onSwitchCreator: () => void;
  onLogout: (reason?: string) => void;
}) {
  // A new creator starts from nothing; the socket for them connects right after.
  useEffect(() => useChatStore.getState().reset(userId), [userId]);
  const socket = useSocket(bridgeSocketUrl(token, userId));
  useConversationPager(userId);
  useDraftsLoader(userId);
  useScoreRefresh(userId);
  useTokenCheck(onLogout);
  const route = useHashRoute();

  return (
    <SocketContext.Provider value={socket}>
      <div className="app">
        <header className="topbar">
          <span className="brand">OFCA Bridge</span>
          <nav aria-label="Views">
            {NAV.map(({ view, label }) => (
              <a
                key={view}
                href={routeHref(view)}
                className={route.view === view ? "active" : undefined}
                aria-current={route.view === view ? "page" : undefined}
              >
                {label}
              </a>
            ))}
          </nav>
          <span className="spacer" />
          <span className="creator">
            Creator <strong>{userId}</strong>
            {creators.length > 1 && (
              <button type="button" className="link" onClick={onSwitchCreator}>
                switch
              </button>
            )}
          </span>
          <button type="button" className="link" onClick={() => onLogout()}>
            Log out
          </button>
        </header>
        <StaleBanner />
        <main className="view">
          <Suspense fallback={<Loading what="the view" />}>
            {route.view === "inbox" && <InboxView userId={userId} chatId={route.chatId} />}
            {route.view === "analytics" && <AnalyticsView userId={userId} />}
            {route.view === "fans" && <FansView userId={userId} />}
            {route.view === "graph" && <GraphView userId={userId} />}
            {route.view === "settings" && <SettingsView userId={userId} />}
          </Suspense>
        </main>
        <StatusBar />
      </div>
    </SocketContext.Provider>
  );
}
