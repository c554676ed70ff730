/**
 * A drain a PodDisruptionBudget keeps blocking: evictions answer 429 and are retried every
 * `retrySeconds` until `timeoutSeconds`; then the drain fails and its cordon is rolled back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { DEFAULT_POLICY, parsePolicy } from "../guardrails/policy.ts";
import { loadRunbooks } from "../runbook.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("node-degradation", { tickMs: 2_000 });
});
afterAll(async () => h.close());

describe("a drain blocked by a PodDisruptionBudget", () => {
  it("retries the 429s until the timeout, fails, and uncordons the node again", async () => {
    const PDBS = "poddisruptionbudgets.policy";
    for (const p of h.cluster.store.list(PDBS))
      h.cluster.store.mutate(PDBS, p.metadata.namespace, p.metadata.name as string, (x) => {
        x.spec.minAvailable = 100;
      });
    // The disruption controller recomputes the budgets' status on its next tick.
    await h.advance(5_000);
    const policy = parsePolicy({
      ...DEFAULT_POLICY,
      rules: DEFAULT_POLICY.rules.filter((r) => r.effect !== "requireApproval"),
    });
    const rb = loadRunbooks().find((r) => r.name === "node-drain")!;
    const quick = {
      ...rb,
      steps: [{ ...rb.steps[0]!, params: { timeoutSeconds: 60, retrySeconds: 5 } }],
    };
    const f: Finding = {
      id: "hw",
      kind: "prediction",
      severity: "warning",
      subject: { kind: "Node", name: "node-c-1" },
      affected: [],
      rootCause: "filesystem / on node-c-1 fills",
      reason: "DiskPressurePredicted",
      evidence: [],
      confidence: 0.9,
      source: "detect/trend-to-limit",
      time: 0,
    };
    h.cluster.apiServer?.clearRequests();
    const [a] = await h.executor({ policy }).run(quick, f);
    expect(a).toMatchObject({ action: "drain", verdict: "allowed", result: "rolled_back" });
    const blocked = (h.cluster.apiServer?.requests() ?? []).filter(
      (r) => r.path.endsWith("/eviction") && r.status === 429 && !r.query.includes("dryRun"),
    );
    // One eviction retried every 5 s for 60 s of simulated time.
    expect(blocked.length).toBeGreaterThanOrEqual(10);
    expect(h.cluster.store.mustGet("nodes", undefined, "node-c-1").spec.unschedulable).toBeFalsy();
    const details = h.audit.list().at(-1)?.details as Record<string, string>;
    expect(details.applyError).toMatch(/a PodDisruptionBudget still blocks evicting .* after 60s/);
    expect(details.rollback).toBe("uncordoned node node-c-1");
  }, 60_000);
});
