/**
 * Login, then the dashboard. The analyst token comes from the link `ofca up` prints
 * (`/?token=…`, moved to sessionStorage by `adoptTokenFromUrl`) or the login form; `whoami`
 * checks it and lists the creators it covers (several: the analyst picks one).
 */
import { useCallback, useEffect, useState } from "react";
import { api, ApiError, authorize } from "./services/api";
import { forgetSession, storedToken, storedUser, storeToken, storeUser } from "./services/session";
import { Dashboard } from "./views/Dashboard";
import { CreatorPicker } from "./views/login/CreatorPicker";
import { LoginView } from "./views/login/LoginView";
import type { WhoAmI } from "./wire";
import { errorMessage } from "./services/errors";

type Auth =
  | { status: "checking" }
  | { status: "anonymous"; error: string | null }
  | { status: "ready"; token: string; whoami: WhoAmI };

export function App() {
  const [auth, setAuth] = useState<Auth>({ status: "checking" });
  const [userId, setUserId] = useState<string | null>(storedUser());

  const check = useCallback(async (token: string | null) => {
    if (!token) {
      setAuth({ status: "anonymous", error: null });
      return;
    }
    setAuth({ status: "checking" });
    authorize(token);
    try {
      const whoami = await api.whoami();
      if (whoami.role !== "analyst") {
        throw new ApiError(403, "This is an agent token: the dashboard needs an analyst token.");
      }
      storeToken(token);
      setAuth({ status: "ready", token, whoami });
    } catch (error) {
      authorize(null);
      const message = errorMessage(error);
      setAuth({ status: "anonymous", error: message });
    }
  }, []);

  useEffect(() => {
    void check(storedToken());
  }, [check]);

  const logout = useCallback((reason?: string) => {
    forgetSession();
    authorize(null);
    setUserId(null);
    setAuth({ status: "anonymous", error: reason ?? null });
  }, []);

  const choose = useCallback((next: string | null) => {
    storeUser(next);
    setUserId(next);
  }, []);

  if (auth.status === "checking") {
    return <div className="splash">Checking your token…</div>;
  }
  if (auth.status === "anonymous") {
    return <LoginView error={auth.error} onSubmit={(token) => void check(token)} />;
  }
  const creators = auth.whoami.user_ids;
  const current = creators.length === 1 ? creators[0] : creators.find((c) => c === userId);
  if (current === undefined) {
    return <CreatorPicker creators={creators} onPick={choose} onLogout={logout} />;
  }
  return (
    <Dashboard
      token={auth.token}
      userId={current}
      creators={creators}
      onSwitchCreator={() => choose(null)}
      onLogout={logout}
    />
  );
}
