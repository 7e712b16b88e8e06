import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The floors of the house (../shared/DESIGN.md "Architecture"), as a rule the code must keep: a folder
 * imports only its own floor's files and the floors below, and never a sibling of its own floor. The
 * entry points (node.ts, worker.ts, config.ts at the top of src/) may import anything.
 */
const floors: Readonly<Record<string, readonly string[]>> = {
  // 1 KERNEL: imports nothing of ours.
  domain: [],
  // 2 USE CASES and ADAPTERS: siblings that meet only through the kernel's ports.
  services: ['domain'],
  db: ['domain'],
  media: ['domain'],
  events: ['domain'],
  crypto: ['domain'],
  // The edge profile's own adapters (console logger, push fan-out to Durable Objects).
  edge: ['domain'],
  // 3 EDGE: the HTTP app presents use cases; jobs and the scheduler call them; the CLI drives a runtime.
  'http/routes': ['domain', 'services', 'http'],
  'http/web': ['domain', 'services', 'http'],
  // What both presenters share: middleware, problem+json, upload streaming, cookies, CSV.
  http: ['domain', 'services'],
  // The one Hono app, made of both presenters.
  'http/app': ['domain', 'services', 'http', 'http/routes', 'http/web'],
  // The job runner settles a job as a processing node's report does (services/job-follow-up.ts).
  jobs: ['domain', 'services'],
  scheduler: ['domain', 'services'],
  cli: ['domain', 'services', 'db', 'receiver', 'entry'],
  // The receiver agent runs on the box: it knows only the kernel's protocol.
  receiver: ['domain'],
  types: [],
};

/** JSON (JSON) and HTML (pages) presenters do not reach into each other. */
const forbiddenWithinHttp: readonly [string, string][] = [
  ['http/routes', 'http/web'],
  ['http/web', 'http/routes'],
];

const src = resolve(fileURLToPath(new URL('../../src', import.meta.url)));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** The floor a file of src/ belongs to: `http/routes`, `http/web`, `http`, `domain` … or `entry`. */
function floorOf(file: string): string {
  const parts = relative(src, file).split('/');
  if (parts.length === 1) return 'entry';
  if (parts.join('/') === 'http/app.ts') return 'http/app';
  if (parts[0] === 'http' && (parts[1] === 'routes' || parts[1] === 'web')) return `http/${parts[1]}`;
  return parts[0]!;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return found.map((spec) => resolve(dirname(file), spec));
}

const edges = files(src).flatMap((file) =>
  importsOf(file)
    .filter((target) => target.startsWith(src))
    .map((target) => ({ file: relative(src, file), from: floorOf(file), to: floorOf(target) })),
);

describe('the floors of the house', () => {
  it('knows every folder of src/', () => {
    const unknown = [...new Set(edges.map((e) => e.from))].filter((f) => f !== 'entry' && !(f in floors));
    expect(unknown).toEqual([]);
  });

  it('has no folder importing a floor above it or a sibling of its own floor', () => {
    const wrong = edges
      .filter((e) => e.from !== 'entry' && e.from !== e.to)
      .filter((e) => !(floors[e.from] ?? []).includes(e.to))
      .map((e) => `${e.file} → ${e.to}`);
    expect(wrong).toEqual([]);
  });

  it('keeps the two HTTP presenters apart', () => {
    const wrong = edges
      .filter((e) => forbiddenWithinHttp.some(([from, to]) => e.from === from && e.to === to))
      .map((e) => `${e.file} → ${e.to}`);
    expect(wrong).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges) {
      if (e.from === e.to) continue;
      const to = graph.get(e.from) ?? new Set<string>();
      to.add(e.to);
      graph.set(e.from, to);
    }
    const cycles: string[] = [];
    const visit = (node: string, path: readonly string[]) => {
      for (const next of graph.get(node) ?? []) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else visit(next, [...path, next]);
      }
    };
    for (const node of graph.keys()) visit(node, [node]);
    expect([...new Set(cycles)]).toEqual([]);
  });
});

/**
 * The Node built-ins the Worker may use: those workerd provides with `nodejs_compat` (wrangler.toml),
 * for the CAP signature verifier (xml-crypto signs and hashes with node:crypto, synchronously).
 */
const workerdNodeModules = ['crypto', 'node:crypto', 'util', 'node:util'];

/**
 * The Worker's whole import graph, bundled as wrangler bundles it but for a neutral platform: any other
 * Node built-in anywhere in it (`node:fs`, `process` …) fails to resolve, and no Node-only adapter
 * (`*.node.ts`) or Node-only package may be reached from `src/worker.ts`.
 */
describe('the edge profile', () => {
  it('imports nothing of Node from src/worker.ts', async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [join(src, 'worker.ts')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'neutral',
      format: 'esm',
      // As wrangler resolves packages: a package's browser build before its Node one.
      mainFields: ['browser', 'module', 'main'],
      conditions: ['workerd', 'worker', 'import'],
      external: ['cloudflare:*', ...workerdNodeModules],
      // The Worker imports mpg123 compiled; read here as bytes, to follow the graph.
      loader: { '.wasm': 'binary' },
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((file) => /\.node\.ts$/.test(file))).toEqual([]);
    const nodeOnly =
      /node_modules\/(pino|better-sqlite3|pg|@hono\/node-server|@ffmpeg-installer|@ffprobe-installer|espeak-ng)\//;
    expect(inputs.filter((file) => nodeOnly.test(file))).toEqual([]);
    const nodeImports = Object.values(result.metafile.inputs)
      .flatMap((input) => input.imports)
      .filter((i) => i.path.startsWith('node:') || (i.external && !i.path.startsWith('cloudflare:')))
      .filter((i) => !workerdNodeModules.includes(i.path));
    expect(nodeImports).toEqual([]);
  });
});
