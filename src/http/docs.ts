import { html, raw } from 'hono/html';

interface Operation {
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
}

/**
 * A plain HTML index of the API built from the OpenAPI document: no CDN script, so it works offline and
 * under the strict Content-Security-Policy; the full machine-readable contract is `/openapi.json`.
 */
export function renderDocs(doc: {
  info: { title: string; version: string };
  paths?: Record<string, unknown>;
}) {
  const rows: ReturnType<typeof html>[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
      rows.push(
        html`<tr>
          <td><code>${method.toUpperCase()}</code></td>
          <td><code>${path}</code></td>
          <td>${op.tags?.join(', ') ?? ''}</td>
          <td>${op.description ?? op.summary ?? ''}</td>
        </tr>`,
      );
    }
  }
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${doc.info.title} — API</title>
        <style>
          body {
            font:
              16px/1.5 system-ui,
              sans-serif;
            margin: 1rem;
            max-width: 70rem;
          }
          table {
            border-collapse: collapse;
            width: 100%;
          }
          td,
          th {
            border-bottom: 1px solid #ccc;
            padding: 0.4rem;
            text-align: left;
            vertical-align: top;
          }
          code {
            font-size: 0.9em;
          }
        </style>
      </head>
      <body>
        <h1>${doc.info.title} ${doc.info.version}</h1>
        <p>
          Machine-readable contract: <a href="/openapi.json">/openapi.json</a>. Errors are
          <code>application/problem+json</code>. Authenticate with <code>POST /api/v1/auth/login</code>, then
          send <code>Authorization: Bearer &lt;token&gt;</code>.
        </p>
        <table>
          <thead>
            <tr>
              <th>Method</th>
              <th>Path</th>
              <th>Tag</th>
              <th>Notes</th>
            </tr>
          </thead>
          <tbody>
            ${raw(rows.map(String).join(''))}
          </tbody>
        </table>
      </body>
    </html>`;
}
