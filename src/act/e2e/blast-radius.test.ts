/**
 * Blast radius, the workload share: the default policy lets one action make at most half of a
 * workload's pods unavailable. On the simulator, web (3 replicas) scaled in to 1 would lose two
 * thirds of its pods: denied before any write, even with a human's approval; to 2 it loses a
 * third and goes ahead.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { DEFAULT_POLICY, evaluate } from "../guardrails/policy.ts";
import { parseRunbook } from "../runbook.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("traffic-surge", { tickMs: 2_000 });
});
afterAll(async () => h.close());

const finding: Finding = {
  id: "quiet",
  kind: "prediction",
  severity: "info",
  subject: { kind: "Deployment", namespace: "shop", name: "web" },
  affected: [],
  rootCause: "traffic is low tonight",
  reason: "TrafficLow",
  evidence: [],
  confidence: 0.9,
  source: "test",
  time: 0,
};

const scaleTo = (replicas: number) =>
  parseRunbook(
    `name: scale-in\ndescription: x\ntrigger: { reasons: [TrafficLow] }\nsteps: [{ action: scale, params: { replicas: ${replicas} } }]`,
    "scale-in.yaml",
  );

const replicas = () => h.cluster.store.mustGet("deployments.apps", "shop", "web").spec.replicas;
const writes = () => (h.cluster.apiServer?.requests() ?? []).filter((r) => r.method !== "GET");

describe("blast radius: the share of a workload made unavailable", () => {
  it("denies scaling web from 3 to 1 (two thirds of its pods) before any write, approval or not", async () => {
    h.cluster.apiServer?.clearRequests();
    const executor = h.executor();
    const plan = await executor.plan(scaleTo(1), finding);
    const planned = plan.steps[0]?.targets[0];
    expect(planned?.blast).toMatchObject({ pods: 2, workloadUnavailableRatio: 2 / 3 });
    expect(planned?.verdict).toMatchObject({ allowed: false, needsApproval: false });
    const [a] = await executor.run(scaleTo(1), finding);
    expect(a).toMatchObject({ action: "scale", verdict: "denied", result: "skipped" });
    expect(a?.reasons).toEqual([`default-blast: workload share unavailable ${2 / 3} exceeds 0.5`]);
    expect(writes()).toEqual([]);
    expect(replicas()).toBe(3);
    expect(h.audit.list().at(-1)).toMatchObject({ action: "scale", result: "denied" });
    // A human's approval never lifts a blast-radius denial.
    const approved = evaluate(DEFAULT_POLICY, {
      action: "scale",
      target: finding.subject,
      namespaceLabels: {},
      blast: planned?.blast,
      now: h.cluster.clock.now(),
      recent: [],
      approvedBy: "alice",
    });
    expect(approved).toMatchObject({ allowed: false, reasons: a?.reasons });
  });

  it("lets scaling web from 3 to 2 (a third) through: dry run, then the change", async () => {
    h.cluster.apiServer?.clearRequests();
    const [a] = await h.executor().run(scaleTo(2), { ...finding, id: "quiet-2" });
    expect(a).toMatchObject({ action: "scale", verdict: "allowed", result: "applied" });
    expect(writes().map((r) => r.query.includes("dryRun=All"))).toEqual([true, false]);
    expect(replicas()).toBe(2);
    expect(h.audit.verify()).toMatchObject({ ok: true, count: 2 });
  }, 30_000);
});
