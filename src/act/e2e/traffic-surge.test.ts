/**
 * traffic-surge: the forecast predicts Monday's 2.5x peak (a TrafficSurge prediction from the
 * forecast stage, built here as that finding); the runbook doubles web's replicas ahead of it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { DEFAULT_POLICY, parsePolicy } from "../guardrails/policy.ts";
import { loadRunbooks, matches } from "../runbook.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("traffic-surge", { tickMs: 2_000 });
});
afterAll(async () => h.close());

const surge: Finding = {
  id: "surge",
  kind: "prediction",
  severity: "warning",
  subject: { kind: "Deployment", namespace: "shop", name: "web" },
  affected: [],
  rootCause: "traffic peaks at 2.5x on Mondays 09:00-11:00 UTC; three pods saturate",
  reason: "TrafficSurge",
  evidence: [],
  confidence: 0.9,
  source: "forecast",
  time: 0,
};

describe("predicted traffic surge → pre-scale", () => {
  it("plans first without changing anything: targets, blast radius and verdicts", async () => {
    h.cluster.apiServer?.clearRequests();
    const rb = loadRunbooks().find((r) => r.name === "traffic-scale-out")!;
    const plan = await h.executor().plan(rb, surge);
    expect(plan.preconditions).toEqual([]);
    expect(plan.steps).toMatchObject([
      {
        action: "scale",
        params: { factor: 2, max: 20 },
        targets: [
          {
            target: { kind: "Deployment", name: "web" },
            blast: { pods: 0, nodes: 0 },
            verdict: { allowed: true },
          },
        ],
      },
    ]);
    expect((h.cluster.apiServer?.requests() ?? []).filter((r) => r.method !== "GET")).toEqual([]);
    expect(h.audit.list()).toEqual([]);
  });

  it("doubles web from 3 to 6 replicas after a server-side dry run and waits for them", async () => {
    const rb = loadRunbooks().find((r) => matches(r, surge));
    expect(rb?.name).toBe("traffic-scale-out");
    h.cluster.apiServer?.clearRequests();
    const [a] = await h.executor().run(rb!, surge);
    expect(a).toMatchObject({ action: "scale", verdict: "allowed", result: "applied" });
    const d = h.cluster.store.mustGet("deployments.apps", "shop", "web");
    expect(d.spec.replicas).toBe(6);
    expect(d.status.availableReplicas).toBe(6);
    const patches = (h.cluster.apiServer?.requests() ?? []).filter(
      (r) => r.method === "PATCH" && r.path.endsWith("/deployments/web"),
    );
    expect(patches.map((r) => r.query.includes("dryRun=All"))).toEqual([true, false]);
    expect(h.audit.list().at(-1)).toMatchObject({
      action: "scale",
      result: "applied",
      details: { applied: "scale from 3 to 6 replicas" },
    });
  }, 60_000);

  it("in dryRunOnly mode only the server-side dry run is sent", async () => {
    const rb = loadRunbooks().find((r) => r.name === "traffic-scale-out")!;
    h.cluster.apiServer?.clearRequests();
    const before = h.cluster.store.mustGet("deployments.apps", "shop", "web").spec.replicas;
    const policy = parsePolicy({ ...DEFAULT_POLICY, mode: "dryRunOnly" });
    const [a] = await h.executor({ policy }).run(rb, { ...surge, id: "dry" });
    expect(a).toMatchObject({ action: "scale", result: "dry_run" });
    const writes = (h.cluster.apiServer?.requests() ?? []).filter((r) => r.method !== "GET");
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((r) => r.query.includes("dryRun=All"))).toBe(true);
    expect(h.cluster.store.mustGet("deployments.apps", "shop", "web").spec.replicas).toBe(before);
    expect(h.audit.list().at(-1)).toMatchObject({ result: "dry_run" });
  });

  it("a notify-only runbook changes nothing and leaves one audit record", async () => {
    const notify = loadRunbooks().find((r) => r.name === "notify-only")!;
    const f = {
      ...surge,
      id: "nr",
      reason: "NodeNotReady",
      subject: { kind: "Node", name: "node-a-1" },
    };
    expect(matches(notify, f)).toBe(true);
    h.cluster.apiServer?.clearRequests();
    const [a] = await h.executor().run(notify, f);
    expect(a).toMatchObject({ action: "notify", result: "applied" });
    expect(h.cluster.apiServer?.requests().filter((r) => r.method !== "GET")).toEqual([]);
    expect(h.audit.list().at(-1)?.details).toMatchObject({
      applied: expect.stringContaining("needs a human decision"),
    });
  }, 30_000);
});
