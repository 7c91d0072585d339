import { defineConfig } from "vitest/config";

// Browser tests: real Chromium (Debian's /usr/bin/chromium) against the production build served on a free loopback port.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts", "test/security/**/*.e2e.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: "forks",
  },
});
