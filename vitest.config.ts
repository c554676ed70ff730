import { configDefaults, defineConfig } from "vitest/config";

/**
 * Tests that compress simulated time (the demo at 60x) judge lead times against the wall clock's
 * pace: beside the rest of the suite on a 2-core machine they starve and flake. They run after
 * the main group, one file at a time.
 */
const ALONE = ["src/interfaces/cli/demo.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "main",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...ALONE],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "alone",
          include: ALONE,
          sequence: { groupOrder: 1 },
          maxWorkers: 1,
        },
      },
    ],
  },
});
