/**
 * node-degradation: node-c-1's hardware drifts (the live detection pipeline reports a
 * HardwareDegradation anomaly; built here as that finding). The node-drain runbook cordons the
 * node and evicts its pods through the eviction API: PodDisruptionBudgets answer 429 until the
 * replacement pods are ready elsewhere, and the drain retries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { loadRunbooks, matches } from "../runbook.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("node-degradation", { tickMs: 2_000 });
});
afterAll(async () => h.close());

const degraded: Finding = {
  id: "hw",
  kind: "anomaly",
  severity: "warning",
  subject: { kind: "Node", name: "node-c-1" },
  affected: [],
  rootCause: "node-c-1's disk latency, ECC error rate and temperature drift upward",
  reason: "HardwareDegradation",
  evidence: [],
  confidence: 0.9,
  source: "detect/live",
  time: 0,
};

const podsOn = (node: string) =>
  h.cluster.store
    .list("pods")
    .filter((p) => p.spec.nodeName === node && p.status?.phase === "Running")
    .filter((p) => p.metadata.ownerReferences?.[0]?.kind !== "DaemonSet");

describe("node predicted to fail → cordon + drain through the eviction API", () => {
  it("waits for approval, cordons, evicts every pod with PDBs respected, verifies and audits", async () => {
    expect(podsOn("node-c-1").length).toBeGreaterThan(0);
    const rb = loadRunbooks().find((r) => matches(r, degraded));
    expect(rb?.name).toBe("node-drain");
    h.cluster.apiServer?.clearRequests();
    const approve = setInterval(() => {
      for (const a of h.approvals.list({ status: "pending" }))
        h.approvals.approve(a.id, { actor: "oncall" });
    }, 5);
    const [a] = await h.executor({ approvalPollMs: 1_000 }).run(rb!, degraded);
    clearInterval(approve);
    expect(a).toMatchObject({ action: "drain", verdict: "allowed", result: "applied" });
    expect(h.cluster.store.mustGet("nodes", undefined, "node-c-1").spec.unschedulable).toBe(true);
    expect(podsOn("node-c-1")).toEqual([]);
    const reqs = h.cluster.apiServer?.requests() ?? [];
    const evictions = reqs.filter((r) => r.method === "POST" && r.path.endsWith("/eviction"));
    // The dry run evicts nothing; the real evictions each end in 201.
    expect(evictions.filter((r) => r.query.includes("dryRun=All")).length).toBeGreaterThan(0);
    expect(evictions.some((r) => !r.query.includes("dryRun") && r.status === 201)).toBe(true);
    // Nothing deleted pods directly: only evictions, which honour PodDisruptionBudgets.
    expect(reqs.filter((r) => r.method === "DELETE")).toEqual([]);
    const trail = h.audit.list().map((r) => `${r.action}:${r.result}`);
    expect(trail).toEqual([
      "approval-requested:pending",
      "approval-approved:approved",
      "drain:applied",
    ]);
    expect(h.audit.list().at(-1)?.details).toMatchObject({ blast: { nodes: 1 } });
    expect(h.audit.verify()).toMatchObject({ ok: true });
  }, 60_000);

  it("a second node is not drained while the first is out: the node-pool share would exceed the policy", async () => {
    const other = { ...degraded, id: "hw2", subject: { kind: "Node", name: "node-b-1" } };
    const approve = setInterval(() => {
      for (const a of h.approvals.list({ status: "pending" }))
        h.approvals.approve(a.id, { actor: "oncall" });
    }, 5);
    const [a] = await h
      .executor({ approvalPollMs: 1_000 })
      .run(loadRunbooks().find((r) => r.name === "node-drain")!, other);
    clearInterval(approve);
    // Two of three nodes cordoned would exceed the policy's 34% node-pool share.
    expect(a).toMatchObject({ verdict: "denied", result: "skipped" });
    expect(a?.reasons.join()).toMatch(/node pool share unavailable/);
    expect(h.cluster.store.mustGet("nodes", undefined, "node-b-1").spec.unschedulable).toBeFalsy();
  }, 60_000);
});
