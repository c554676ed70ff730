/**
 * The pod, workload, node and event cases of the diagnose corpus (`test/cases/diagnose/w-*`,
 * format in that folder's README): each through a fresh simulator over HTTP, objects created with
 * @kubernetes/client-node, judged by the shared runner in cases.ts.
 */
import { describe, expect, it } from "vitest";
import { listCases, runCase } from "./cases.ts";

describe("diagnose corpus: pod, workload, node and event cases", () => {
  it("has at least 20 cases", () => {
    expect(listCases("w-").length).toBeGreaterThanOrEqual(20);
  });

  for (const name of listCases("w-")) {
    it(name, async () => {
      const r = await runCase(name);
      expect(r.failure).toBeUndefined();
    }, 30_000);
  }
});
