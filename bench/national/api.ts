// The HTTP API of a `loa serve`, as the run's people use it.
import { toneWav } from './tone.js';

/** A request to `base` with an optional bearer token and JSON body. */
export const api = async (
  base: string,
  path: string,
  init: RequestInit & { token?: string; json?: unknown } = {},
) => {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${base}${path}`, {
    ...init,
    headers,
    ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
  });
};

/** A session token for the user. */
export const signIn = async (base: string, username: string, password: string): Promise<string> =>
  (
    (await (
      await api(base, '/api/v1/auth/login', { method: 'POST', json: { username, password } })
    ).json()) as { token: string }
  ).token;

/** Uploads recording `n` (a tone `seconds` long) as an announcement; returns its id. */
export async function uploadRecording(
  base: string,
  token: string,
  n: number,
  seconds: number,
): Promise<string> {
  const form = new FormData();
  form.set('title', `Thông báo ${n}`);
  form.set('language', 'vi');
  form.set('file', new Blob([toneWav(n, seconds)], { type: 'audio/wav' }), `tb-${n}.wav`);
  const res = await api(base, '/api/v1/announcements', { method: 'POST', token, body: form });
  if (res.status !== 202) throw new Error(`upload ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
