/** Waiting in the page world with the page's own timers (injected, so tests drive them). */

export interface Waiter {
  setTimeout: (handler: () => void, ms: number) => unknown;
  timing: { pollMs: number };
}

export function sleep(env: Waiter, ms: number): Promise<void> {
  return new Promise((resolve) => {
    env.setTimeout(resolve, ms);
  });
}

/** Poll `probe` until it returns something other than null, or null after `ms`. */
export async function waitFor<T>(env: Waiter, probe: () => T | null, ms: number): Promise<T | null> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = probe();
    if (found !== null) return found;
    if (Date.now() >= deadline) return null;
    await sleep(env, env.timing.pollMs);
  }
}
