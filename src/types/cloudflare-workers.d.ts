// What src/worker.ts and the edge tests use of the Workers runtime module,, typed without the Workers type
// library (its globals clash with Node's); the runtime provides the module.
declare module 'cloudflare:workers' {
  /** The bindings of `wrangler.toml` (tests read them; the Worker gets them as `env`). */
  export const env: unknown;
  /** The main module's exports (tests call the Worker's handlers through them). */
  export const exports: unknown;
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: unknown;
    protected readonly env: Env;
    constructor(ctx: unknown, env: Env);
  }
}

// What the edge tests use of the Workers test module (@cloudflare/vitest-pool-workers).
declare module 'cloudflare:test' {
  export function createExecutionContext(): { waitUntil(promise: Promise<unknown>): void };
  export function waitOnExecutionContext(ctx: unknown): Promise<void>;
  export function createScheduledController(options?: { cron?: string; scheduledTime?: number }): unknown;
}

// A WebAssembly file imported by the Worker: wrangler and the Workers test pool give it compiled.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
