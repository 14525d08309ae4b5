import { defineConfig } from 'vitest/config';

// One suite, run twice by test/run-all.sh: on SQLite, then with OPENEKS_TEST_DATABASE_URL on
// PostgreSQL. Every test file gets its own fresh database (test/support/test-db.ts).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'drivers/**/*.test.ts', 'simulators/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'test/bench/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    restoreMocks: true,
  },
});
