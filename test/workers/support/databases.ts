// The Node suite's dialect list (test/support/databases.ts), on the edge profile: one dialect, D1.
export const dialects: readonly 'd1'[] = ['d1'];
