/**
 * Counts SQL statements, for tests that prove a query plan costs a constant number of round
 * trips (no N+1): hand `onStatement` to a subgraph as its `statementCounter`.
 */
export function createStatementCounter() {
  let statements = 0;
  return {
    onStatement: () => {
      statements++;
    },
    /** Statements sent since the last reset. */
    count: () => statements,
    reset: () => {
      statements = 0;
    },
  };
}

export type StatementCounter = ReturnType<typeof createStatementCounter>;
