/**
 * What an installer scans into a loudspeaker box (the receiver's token page shows it as a QR code and
 * as text to copy): the server's address, the receiver's id and its device token, as the parameters of
 * a `loa-receiver:` URI, so that any QR app shows them readably and `loa receiver --enrol` reads them.
 * @example
 * enrolmentText({ server: 'https://loa.cocsan.vn', receiverId: 'rx-1', token: 't0k' })
 * // → 'loa-receiver:?server=https%3A%2F%2Floa.cocsan.vn&id=rx-1&token=t0k'
 */
export function enrolmentText(e: { server: string; receiverId: string; token: string }): string {
  const q = new URLSearchParams({ server: e.server, id: e.receiverId, token: e.token });
  return `loa-receiver:?${q.toString()}`;
}

/** An enrolment read back: where the server is and the box's token (its id, when given). */
export interface Enrolment {
  readonly server: string;
  readonly token: string;
  readonly receiverId: string | null;
}

/**
 * Reads an enrolment text (`loa-receiver:?server=…&token=…`, also with `//` or `v1` after the scheme),
 * or says in English what is wrong with it. The server must be an http(s) address; the token is a
 * device token as the server issues them (URL-safe, at least 32 characters).
 */
export function parseEnrolment(text: string): { ok: true; value: Enrolment } | { ok: false; error: string } {
  const trimmed = text.trim();
  const match = /^loa-receiver:(?:\/\/|v1)?\??(.*)$/i.exec(trimmed);
  if (!match) return { ok: false, error: 'an enrolment starts with "loa-receiver:?server=…&token=…"' };
  const q = new URLSearchParams(match[1]);
  const server = (q.get('server') ?? '').replace(/\/+$/, '');
  const token = q.get('token') ?? '';
  if (!/^https?:\/\/[^/\s]+/.test(server)) return { ok: false, error: 'its server must be an http(s) URL' };
  if (!/^[A-Za-z0-9_-]{32,}$/.test(token)) return { ok: false, error: 'its token is missing or malformed' };
  return { ok: true, value: { server, token, receiverId: q.get('id') || null } };
}
