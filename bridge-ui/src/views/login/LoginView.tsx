import { type FormEvent, useState } from "react";

/** Paste an analyst token (`ofca token create --user ID --role analyst`). */
export function LoginView({
  error,
  onSubmit,
}: {
  error: string | null;
  onSubmit: (token: string) => void;
}) {
  const [token, setToken] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) onSubmit(token.trim());
  };
  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit}>
        <h1>OFCA Bridge</h1>
        <p className="muted">
          Open the link <code>ofca up</code> prints, or paste an analyst token (
          <code>ofca token create --user ID --role analyst</code>).
        </p>
        <label htmlFor="token">Analyst token</label>
        <textarea
          id="token"
          name="token"
          rows={3}
          value={token}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setToken(e.target.value)}
        />
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={!token.trim()}>
          Log in
        </button>
        <p className="muted small">The token is kept for this tab only (sessionStorage).</p>
      </form>
    </main>
  );
}
