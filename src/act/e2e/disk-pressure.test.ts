import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { loadRunbooks, matches } from "../runbook.ts";
import { type ActHarness, startActHarness, until } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("disk-pressure", { tickMs: 5_000 });
});
afterAll(async () => h.close());

const failedOn = (node: string) =>
  h.cluster.store
    .list("pods")
    .filter((p) => p.spec.nodeName === node && p.status?.phase === "Failed");

describe("disk pressure evictions → clean up the evicted pods", () => {
  it("deletes the node's Failed pods, canary first then in batches, after approval", async () => {
    let finding: Finding | undefined;
    await until(
      h,
      async () => {
        finding = (await h.findings()).find((f) => f.reason === "Evicted");
        return finding !== undefined;
      },
      60 * 60_000,
      30_000,
    );
    const f = finding as Finding;
    const failed = failedOn(f.subject.name);
    expect(failed.length).toBeGreaterThan(0);
    const rb = loadRunbooks().find((r) => matches(r, f));
    expect(rb?.name).toBe("cleanup-failed-pods");
    const approve = setInterval(() => {
      for (const a of h.approvals.list({ status: "pending" }))
        h.approvals.approve(a.id, { actor: "oncall" });
    }, 5);
    const actions = await h.executor({ approvalPollMs: 1_000 }).run(rb!, f);
    clearInterval(approve);
    expect(actions).toHaveLength(failed.length);
    expect(actions.every((a) => a.action === "delete-pod" && a.result === "applied")).toBe(true);
    expect(new Set(actions.map((a) => a.target.name))).toEqual(
      new Set(failed.map((p) => p.metadata.name)),
    );
    // delete-pod needs approval under the default policy: one approval covers the run's targets.
    const asked = h.audit.list({ limit: 1000 }).filter((r) => r.action === "approval-requested");
    expect(asked).toHaveLength(1);
    expect(asked[0]?.why).toMatch(new RegExp(`^delete-pod on ${failed.length} Pods`));
    expect(failedOn(f.subject.name)).toEqual([]);
    expect(h.audit.verify()).toMatchObject({ ok: true });
  }, 60_000);
});
