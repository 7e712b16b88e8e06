/**
 * The part of Cloudflare's D1 binding Loa uses, typed here so that the shared code needs no Workers
 * type library (its globals clash with Node's). `@cloudflare/workers-types`' `D1Database` fits it.
 */
export interface D1Result<Row = Record<string, unknown>> {
  readonly results: Row[];
  readonly success: boolean;
  readonly meta: { readonly changes: number; readonly last_row_id: number | null };
}

export interface D1PreparedStatement {
  bind(...values: unknown[]): D1PreparedStatement;
  all<Row = Record<string, unknown>>(): Promise<D1Result<Row>>;
  run(): Promise<D1Result>;
}

export interface D1Binding {
  prepare(sql: string): D1PreparedStatement;
  /** Runs the statements in order as one SQLite transaction: all of them, or none when one fails. */
  batch<Row = Record<string, unknown>>(statements: D1PreparedStatement[]): Promise<D1Result<Row>[]>;
}
