import { defineConfig } from "vitest/config";

// Unit and integration tests. Kept apart from vite.config.ts so the Remix plugin never runs under the test runner.
export default defineConfig({
  test: {
    include: ["rules-schema/**/*.test.ts", "engine/**/*.test.ts", "db/**/*.test.ts", "cli/**/*.test.ts", "applicant-files/**/*.test.ts", "test/unit/**/*.test.ts", "test/integration/**/*.test.ts", "test/security/**/*.test.ts"],
    // Security tests that need the production build and a real server run with the browser tests.
    exclude: ["**/node_modules/**", "test/security/**/*.e2e.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    // Hooks seed real databases (users hashed with argon2, a simulated past cohort): as slow as a test on a busy machine.
    hookTimeout: 60_000,
    pool: "forks",
    // The seed's synthetic past cohort is 50,000 applicants on a real install; tests use a small one.
    env: { JIFEN_SEED_COHORT_SIZE: "2000" },
  },
});
