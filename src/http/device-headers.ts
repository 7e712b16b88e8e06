import type { Context } from 'hono';

/**
 * A request header as the device sent it. On @hono/node-server the Node request's own header map is
 * read when present: asking Hono for one header makes the adapter build a full Fetch `Headers` of all
 * of them, a measurable share of a manifest poll. Elsewhere (Workers, `app.request` in tests) it is the
 * standard `c.req.header`.
 */
export function deviceHeader(c: Context, name: 'authorization' | 'if-none-match'): string | undefined {
  const incoming = (
    c.env as { incoming?: { headers?: Record<string, string | string[] | undefined> } } | undefined
  )?.incoming?.headers;
  if (!incoming) return c.req.header(name);
  const value = incoming[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
