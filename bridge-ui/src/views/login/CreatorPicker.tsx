/** A token that covers several creators: the analyst picks whose inbox to open. */
export function CreatorPicker({
  creators,
  onPick,
  onLogout,
}: {
  creators: readonly string[];
  onPick: (userId: string) => void;
  onLogout: () => void;
}) {
  return (
    <main className="login">
      <div className="card login-card">
        <h1>Choose a creator</h1>
        <p className="muted">This token covers {creators.length} creators.</p>
        <ul className="creator-list">
          {creators.map((id) => (
            <li key={id}>
              <button type="button" onClick={() => onPick(id)}>
                Creator {id}
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="link" onClick={() => onLogout()}>
          Log out
        </button>
      </div>
    </main>
  );
}
