/**
 * node-degradation, the whole predictive-isolation chain: node-c-1's hardware drifts; the live
 * detection pipeline (a day of backfilled history, then a scrape of the simulator's /metrics
 * every 30 s) reports a HardwareDegradation anomaly; the incident opens; the
 * node-predicted-failure runbook sets the node condition opsloop.dev/PredictedFailure through
 * the executor and guardrails; the NodeReadinessRule enforcer turns it into a NoSchedule taint;
 * the drain (approved by a human) evicts every pod through the eviction API, PDBs answering 429
 * until replacements are ready. The node is then replaced (deleted), the anomaly stops, and the
 * incident resolves.
 */
import { ApiextensionsV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import type { DetectPipeline } from "../../detect/live/pipeline.ts";
import { NodeReadinessEnforcer } from "../node-readiness/controller.ts";
import {
  PREDICTED_FAILURE_CONDITION,
  PREDICTED_FAILURE_TAINT,
  predictiveIsolationRule,
} from "../node-readiness/predictive-isolation.ts";
import {
  NRR_GROUP,
  NRR_PLURAL,
  NRR_VERSION,
  nodeReadinessRuleCrd,
} from "../node-readiness/types.ts";
import { loadRunbooks, matches } from "../runbook.ts";
import {
  type ActHarness,
  autoApprove,
  backfilledPipeline,
  scrapeInto,
  startActHarness,
} from "./harness.ts";

let h: ActHarness;
let pipeline: DetectPipeline;
let enforcer: NodeReadinessEnforcer;

beforeAll(async () => {
  h = await startActHarness("node-degradation", { tickMs: 2_000 });
  pipeline = backfilledPipeline(h);
  await h.kc
    .makeApiClient(ApiextensionsV1Api)
    .createCustomResourceDefinition({ body: nodeReadinessRuleCrd() as never });
  await h.kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: NRR_GROUP,
    version: NRR_VERSION,
    plural: NRR_PLURAL,
    body: predictiveIsolationRule(),
  });
  enforcer = new NodeReadinessEnforcer({ kc: h.kc, clock: h.cluster.clock, audit: h.audit });
}, 60_000);
afterAll(async () => h.close());

const scrape = () => scrapeInto(h, pipeline);

const podsOn = (node: string) =>
  h.cluster.store
    .list("pods")
    .filter((p) => p.spec.nodeName === node && p.status?.phase === "Running")
    .filter((p) => p.metadata.ownerReferences?.[0]?.kind !== "DaemonSet");

const node = (name: string) => h.cluster.store.mustGet("nodes", undefined, name);

describe("hardware drift → node condition → NodeReadinessRule taint → drain → resolved", () => {
  it("detects the drift live, isolates and drains node-c-1 within the guardrails, and resolves once it is replaced", async () => {
    let finding: Finding | undefined;
    for (let i = 0; i < 120 && !finding; i++)
      finding = (await scrape()).find(
        (f) => f.reason === "HardwareDegradation" && f.subject.name === "node-c-1",
      );
    const f = finding as Finding;
    expect(f).toMatchObject({ kind: "anomaly", source: "detect/ensemble" });
    const incident = h.incidents.ingest([f], h.cluster.clock.now())[0]?.incident;
    expect(incident?.subject).toEqual({ kind: "Node", name: "node-c-1" });
    const candidates = loadRunbooks().filter((r) => matches(r, f));
    expect(candidates.map((r) => r.name)).toEqual(["node-predicted-failure"]);
    const rb = candidates[0]!;

    // The reconciler runs whenever the executor waits, as the in-cluster enforcer would.
    const executor = h.executor({
      approvalPollMs: 1_000,
      sleep: async (ms) => {
        await h.advance(ms);
        await enforcer.reconcile();
      },
    });
    h.cluster.apiServer?.clearRequests();
    const plan = await executor.plan(rb, f);
    expect(plan.steps.map((s) => [s.action, s.targets[0]?.verdict.allowed])).toEqual([
      ["set-node-condition", true],
      ["drain", false],
    ]);
    expect(plan.steps[1]?.targets[0]?.verdict.needsApproval).toBe(true);
    expect((h.cluster.apiServer?.requests() ?? []).filter((r) => r.method !== "GET")).toEqual([]);

    const approve = autoApprove(h);
    const actions = await executor.run(rb, f, { incidentId: incident?.id });
    approve();
    expect(actions).toMatchObject([
      { action: "set-node-condition", verdict: "allowed", result: "applied" },
      { action: "drain", verdict: "allowed", result: "applied" },
    ]);

    const n = node("node-c-1");
    expect(
      n.status.conditions.find((c: { type: string }) => c.type === PREDICTED_FAILURE_CONDITION),
    ).toMatchObject({ status: "True", reason: "NodeFailurePredicted" });
    expect(n.spec.taints).toContainEqual(
      expect.objectContaining({ key: PREDICTED_FAILURE_TAINT, effect: "NoSchedule" }),
    );
    expect(n.spec.unschedulable).toBe(true);
    expect(podsOn("node-c-1")).toEqual([]);

    // The writes in order: the condition (dry run, then for real), then the drain's evictions,
    // each dry-run first; no pod deleted directly. (The taint's place is in the audit trail.)
    const writes = (h.cluster.apiServer?.requests() ?? []).filter((r) => r.method !== "GET");
    const dry = (r: { query: string }) => r.query.includes("dryRun=All");
    const onStatus = (r: { path: string }) => r.path.endsWith("/nodes/node-c-1/status");
    const evicts = (r: { path: string }) => r.path.endsWith("/eviction");
    const order = [
      writes.findIndex((r) => onStatus(r) && dry(r)),
      writes.findIndex((r) => onStatus(r) && !dry(r)),
      writes.findIndex((r) => evicts(r) && dry(r)),
      writes.findIndex((r) => evicts(r) && !dry(r) && r.status === 201),
    ];
    expect(order[0]).toBeGreaterThanOrEqual(0);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(writes.filter((r) => r.method === "DELETE")).toEqual([]);

    for (const a of actions) h.incidents.recordAction(incident!.id, a, h.cluster.clock.now());
    expect(h.incidents.get(incident!.id)?.status).toBe("remediating");

    // The drift goes on: the hardware is broken, isolation only kept the pods safe. Replace the
    // node (its instance is terminated and the Node object deleted): the anomaly stops, and the
    // incident resolves once the finding has been gone long enough.
    h.cluster.store.delete("nodes", undefined, "node-c-1");
    let resolved = false;
    for (let i = 0; i < 80 && !resolved; i++) {
      const now = (await scrape()).filter((x) => x.subject.name === "node-c-1");
      resolved = h.incidents
        .ingest(now, h.cluster.clock.now())
        .some((e) => e.type === "resolved" && e.incident.id === incident?.id);
    }
    expect(resolved).toBe(true);

    const trail = h.audit.list({ limit: 1000 }).map((r) => `${r.action}:${r.result}`);
    const at = (s: string) => trail.indexOf(s);
    expect(trail).toEqual(
      expect.arrayContaining([
        "set-node-condition:applied",
        "taint-node:applied",
        "approval-requested:pending",
        "approval-approved:approved",
        "drain:applied",
      ]),
    );
    expect(at("set-node-condition:applied")).toBeLessThan(at("taint-node:applied"));
    expect(at("taint-node:applied")).toBeLessThan(at("drain:applied"));
    expect(h.audit.list({ limit: 1000 }).find((r) => r.action === "drain")?.details).toMatchObject({
      blast: { nodes: 1 },
      dryRun: expect.any(String),
    });
    expect(h.audit.verify()).toMatchObject({ ok: true });
  }, 120_000);

  it("a second node is not drained while the first is out: the node-pool share would exceed the policy", async () => {
    const other: Finding = {
      id: "disk-b",
      kind: "prediction",
      severity: "warning",
      subject: { kind: "Node", name: "node-b-1" },
      affected: [],
      rootCause: "filesystem / on node-b-1 fills",
      reason: "DiskPressurePredicted",
      evidence: [],
      confidence: 0.9,
      source: "detect/trend-to-limit",
      time: h.cluster.clock.now(),
    };
    // node-c-1 is gone: cordon node-a-1 so one of the two remaining nodes is already out.
    h.cluster.store.mutate("nodes", undefined, "node-a-1", (n) => {
      n.spec = { ...(n.spec ?? {}), unschedulable: true };
    });
    const rb = loadRunbooks().find((r) => matches(r, other));
    expect(rb?.name).toBe("node-drain");
    const approve = autoApprove(h);
    const [a] = await h.executor({ approvalPollMs: 1_000 }).run(rb!, other);
    approve();
    expect(a).toMatchObject({ verdict: "denied", result: "skipped" });
    expect(a?.reasons.join()).toMatch(/node pool share unavailable/);
    expect(node("node-b-1").spec.unschedulable).toBeFalsy();
  }, 60_000);
});
