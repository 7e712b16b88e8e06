/**
 * The receivers `loa simulate` plays, made through the server's own API as an admin would. They are
 * named "Loa mô phỏng N", so that every list shows them for what they are; a run reuses the ones an
 * earlier run left (with new tokens) before creating more, and disables them when it ends, so that a
 * test leaves neither a pile of receivers nor boxes that show as offline in the office's monitor.
 */

/** The name every simulated receiver starts with. */
export const SIMULATED_PREFIX = 'Loa mô phỏng ';

interface Listed {
  readonly id: string;
  readonly hamletId: string;
  readonly name: string;
}

export interface SimulatedReceivers {
  readonly tokens: readonly string[];
  /** How many were reused from an earlier run, and how many made now. */
  readonly reused: number;
  readonly created: number;
  /** Disables them (the API's DELETE): their tokens stop working, and lists show them as disabled. */
  release(): Promise<number>;
}

type Call = (path: string, init?: { method?: string; body?: unknown }) => Promise<Record<string, unknown>>;

/** Signs in as LOA_USERNAME (default admin) with LOA_PASSWORD and returns an API caller with that token. */
async function signIn(server: string, env: NodeJS.ProcessEnv): Promise<Call> {
  const password = env.LOA_PASSWORD;
  if (!password)
    throw new Error(
      'Without --tokens, set LOA_PASSWORD (and LOA_USERNAME, default admin) to create simulated receivers.',
    );
  let bearer: string | undefined;
  const call: Call = async (path, init = {}) => {
    const res = await fetch(`${server}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'content-type': 'application/json', ...(bearer && { authorization: `Bearer ${bearer}` }) },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
  };
  const login = await call('/api/v1/auth/login', {
    method: 'POST',
    body: { username: env.LOA_USERNAME ?? 'admin', password },
  });
  bearer = login.token as string;
  return call;
}

async function listAll(call: Call, path: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const page = await call(`${path}?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...(page.items as Record<string, unknown>[]));
    cursor = page.nextCursor as string | null;
  } while (cursor);
  return items;
}

/** `count` simulated receivers, spread over `hamlet` or every hamlet, reusing those of earlier runs. */
export async function simulatedReceivers(
  server: string,
  count: number,
  hamlet: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SimulatedReceivers> {
  const call = await signIn(server, env);
  const hamlets = hamlet ? [hamlet] : (await listAll(call, '/api/v1/hamlets')).map((h) => h.id as string);
  const earlier = (await listAll(call, '/api/v1/receivers'))
    .map((r) => ({ id: r.id as string, hamletId: r.hamletId as string, name: r.name as string }))
    .filter((r) => r.name.startsWith(SIMULATED_PREFIX));
  let next = Math.max(0, ...earlier.map((r) => Number(r.name.slice(SIMULATED_PREFIX.length)) || 0)) + 1;
  const spare = new Map<string, Listed[]>();
  for (const r of earlier) spare.set(r.hamletId, [...(spare.get(r.hamletId) ?? []), r]);

  const tokens: string[] = [];
  const ids: string[] = [];
  let reused = 0;
  for (let i = 0; i < count; i++) {
    const hamletId = hamlets[i % hamlets.length]!;
    const old = spare.get(hamletId)?.shift();
    if (old) {
      await call(`/api/v1/receivers/${encodeURIComponent(old.id)}`, {
        method: 'PATCH',
        body: { disabled: false },
      });
      const rotated = await call(`/api/v1/receivers/${encodeURIComponent(old.id)}/rotate-token`, {
        method: 'POST',
      });
      tokens.push(rotated.token as string);
      ids.push(old.id);
      reused++;
    } else {
      const made = await call('/api/v1/receivers', {
        method: 'POST',
        body: { hamletId, name: `${SIMULATED_PREFIX}${next++}` },
      });
      tokens.push(made.token as string);
      ids.push((made.receiver as { id: string }).id);
    }
  }
  return {
    tokens,
    reused,
    created: count - reused,
    async release() {
      for (const id of ids) await call(`/api/v1/receivers/${encodeURIComponent(id)}`, { method: 'DELETE' });
      return ids.length;
    },
  };
}
