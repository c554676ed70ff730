/**
 * traffic-surge: Monday 08:30, web's traffic rises 2.5x at 09:00. The forecast stage plans from
 * two weeks of the simulator's backfilled metrics; its scaling plan opens a window at 08:55 and
 * `surgePredictions` turns it into a TrafficSurge prediction. The traffic-scale-out runbook
 * doubles web ahead of the peak; the prediction clears when the window closes and the incident
 * resolves.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding, ObjectRef } from "../../core/types.ts";
import { clusterHistory } from "../../forecast/history/simulated.ts";
import { planWorkload, type WorkloadPlan } from "../../forecast/plan-workload.ts";
import { surgePredictions } from "../../forecast/surge-predictions.ts";
import { DEFAULT_POLICY, parsePolicy } from "../guardrails/policy.ts";
import { loadRunbooks, matches } from "../runbook.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

const WEB: ObjectRef = { kind: "Deployment", namespace: "shop", name: "web" };
let h: ActHarness;
let wp: WorkloadPlan;
beforeAll(async () => {
  h = await startActHarness("traffic-surge", { tickMs: 2_000 });
  wp = planWorkload(clusterHistory(h.cluster, 14), WEB);
}, 60_000);
afterAll(async () => h.close());

const replicas = () => h.cluster.store.mustGet("deployments.apps", "shop", "web").spec.replicas;
const predicted = () =>
  surgePredictions(WEB, wp, h.cluster.clock.now(), { currentReplicas: replicas() });
const rb = () => loadRunbooks().find((r) => r.name === "traffic-scale-out")!;

describe("predicted traffic surge → pre-scale", () => {
  let surge: Finding;

  it("the forecast's scaling plan predicts Monday's 09:00 surge on web", () => {
    const found = predicted();
    expect(found).toHaveLength(1);
    surge = found[0]!;
    expect(surge).toMatchObject({
      kind: "prediction",
      reason: "TrafficSurge",
      subject: WEB,
      eta: Date.parse("2026-01-05T08:55:00Z"),
    });
    expect(surge.rootCause).toMatch(/between 08:55 and \d\d:\d\d UTC: 3 replicas/);
    expect(
      loadRunbooks()
        .filter((r) => matches(r, surge))
        .map((r) => r.name),
    ).toEqual(["traffic-scale-out"]);
  });

  it("plans first without changing anything: targets, blast radius and verdicts", async () => {
    h.cluster.apiServer?.clearRequests();
    const plan = await h.executor().plan(rb(), surge);
    expect(plan.preconditions).toEqual([]);
    expect(plan.steps).toMatchObject([
      {
        action: "scale-out-for-surge",
        params: { factor: 2, max: 20, coolDownMinutes: 15 },
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

  it("in dryRunOnly mode only the server-side dry run is sent", async () => {
    h.cluster.apiServer?.clearRequests();
    const policy = parsePolicy({ ...DEFAULT_POLICY, mode: "dryRunOnly" });
    const [a] = await h.executor({ policy }).run(rb(), { ...surge, id: "dry" });
    expect(a).toMatchObject({ action: "scale-out-for-surge", result: "dry_run" });
    const writes = (h.cluster.apiServer?.requests() ?? []).filter((r) => r.method !== "GET");
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((r) => r.query.includes("dryRun=All"))).toBe(true);
    expect(replicas()).toBe(3);
    expect(h.audit.list().at(-1)).toMatchObject({ result: "dry_run" });
  });

  it("doubles web from 3 to 6 before 09:00 after a dry run, and resolves when the surge window closes", async () => {
    const incident = h.incidents.ingest([surge], h.cluster.clock.now())[0]?.incident;
    h.cluster.apiServer?.clearRequests();
    const actions = await h.executor().run(rb(), surge, { incidentId: incident?.id });
    expect(actions).toMatchObject([
      { action: "scale-out-for-surge", verdict: "allowed", result: "applied" },
    ]);
    expect(h.cluster.clock.now()).toBeLessThan(Date.parse("2026-01-05T09:00:00Z"));
    const d = h.cluster.store.mustGet("deployments.apps", "shop", "web");
    expect([d.spec.replicas, d.status.availableReplicas]).toEqual([6, 6]);
    const patches = (h.cluster.apiServer?.requests() ?? []).filter(
      (r) => r.method === "PATCH" && r.path.endsWith("/deployments/web"),
    );
    expect(patches.map((r) => r.query.includes("dryRun=All"))).toEqual([true, false]);
    expect(h.audit.list().at(-1)).toMatchObject({
      action: "scale-out-for-surge",
      result: "applied",
      details: { applied: expect.stringMatching(/^scale from 3 to 6 replicas until /) },
    });
    for (const a of actions) h.incidents.recordAction(incident!.id, a, h.cluster.clock.now());
    expect(h.incidents.get(incident!.id)?.status).toBe("remediating");

    // Six pods serve the peak. The plan sized 9-10 for the forecast's upper bound until 11:00,
    // so the prediction (windows needing 1.5x the running replicas) holds until then.
    let resolvedAt: number | undefined;
    for (let m = 0; m < 240 && !resolvedAt; m += 5) {
      await h.advance(5 * 60_000);
      const events = h.incidents.ingest(predicted(), h.cluster.clock.now());
      if (events.some((e) => e.type === "resolved" && e.incident.id === incident?.id))
        resolvedAt = h.cluster.clock.now();
    }
    expect(resolvedAt).toBeGreaterThan(Date.parse("2026-01-05T11:00:00Z"));
    expect(replicas()).toBe(6);
    expect(h.audit.list().map((r) => `${r.action}:${r.result}`)).toEqual([
      "scale-out-for-surge:dry_run",
      "scale-out-for-surge:applied",
    ]);
    expect(h.audit.verify()).toMatchObject({ ok: true, count: 2 });
  }, 60_000);
});
