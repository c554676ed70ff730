/**
 * The service, ingress, storage, autoscaling, policy and security cases of the diagnose corpus
 * (`test/cases/diagnose/s-*`): each through a fresh simulator over HTTP, judged by `judge()`.
 */
import { describe, expect, it } from "vitest";
import { listCases, runCase } from "./cases.ts";

describe("diagnose corpus: service, ingress, storage, autoscaling, policy and security cases", () => {
  it("has at least 20 cases", () => {
    expect(listCases("s-").length).toBeGreaterThanOrEqual(20);
  });

  for (const name of listCases("s-")) {
    it(name, async () => {
      const r = await runCase(name);
      expect(r.failure).toBeUndefined();
    }, 30_000);
  }
});
