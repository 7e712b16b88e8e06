// The one class of the Workers runtime module that src/worker.ts uses, typed without the Workers type
// library (its globals clash with Node's); the runtime provides the module.
declare module 'cloudflare:workers' {
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: unknown;
    protected readonly env: Env;
    constructor(ctx: unknown, env: Env);
  }
}
