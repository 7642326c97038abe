/**
 * Where a Temporal server's time goes, from its own Prometheus counters: persistence requests
 * and the seconds they took, by operation (`persistence_requests`, `persistence_latency_sum`).
 * Read before and after a run; the difference is the run's.
 */
export type PersistenceUse = Map<string, { requests: number; seconds: number }>;

export async function readPersistenceUse(url: string): Promise<PersistenceUse> {
  const use: PersistenceUse = new Map();
  const response = await fetch(url).catch(() => null);
  if (!response?.ok) return use;
  for (const line of (await response.text()).split('\n')) {
    const match = /^(persistence_requests|persistence_latency_sum)\{([^}]*)\} ([0-9.eE+-]+)$/.exec(
      line,
    );
    if (!match) continue;
    const operation = /operation="([^"]+)"/.exec(match[2]!)?.[1] ?? 'unknown';
    const entry = use.get(operation) ?? { requests: 0, seconds: 0 };
    if (match[1] === 'persistence_requests') entry.requests += Number(match[3]);
    else entry.seconds += Number(match[3]);
    use.set(operation, entry);
  }
  return use;
}

/** The run's persistence use: totals, and the operations that took the most time. */
export function persistenceSummary(before: PersistenceUse, after: PersistenceUse, top = 8) {
  const rows = [...after].map(([operation, a]) => {
    const b = before.get(operation) ?? { requests: 0, seconds: 0 };
    return { operation, requests: a.requests - b.requests, seconds: a.seconds - b.seconds };
  });
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    requests: rows.reduce((sum, r) => sum + r.requests, 0),
    seconds: round(rows.reduce((sum, r) => sum + r.seconds, 0)),
    topBySeconds: rows
      .filter((r) => r.requests > 0)
      .sort((x, y) => y.seconds - x.seconds)
      .slice(0, top)
      .map((r) => ({ ...r, seconds: round(r.seconds) })),
  };
}
