/**
 * traffic-surge without an HPA, web opted into predictive scaling: the forecast path
 * (PrescaleForecaster over 28 days of backfilled history) predicts Monday's 09:00 surge, the
 * agent doubles web through traffic-scale-out and records the count before it. The surge episode
 * ends at 11:00 (cool-down to 11:15), but the plan still needs 5 replicas until 17:00, 1.5x the
 * recorded 3 (one plan for the day: a re-plan's timing would move that end), so web stays
 * scaled out. At 17:00 TrafficSurgeEnded brings web back to 3 through traffic-scale-in — never earlier, and not when
 * the policy forbids it — with the audit chain intact.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../agent/agent.ts";
import type { Finding } from "../../core/types.ts";
import { clusterHistory } from "../../forecast/history/simulated.ts";
import { PREDICTIVE_SCALING, PrescaleForecaster } from "../../forecast/prescale-forecaster.ts";
import {
  SURGE_BASELINE,
  SURGE_REPLICAS,
  SURGE_UNTIL,
  TRAFFIC_SURGE,
  TRAFFIC_SURGE_ENDED,
} from "../../forecast/surge-predictions.ts";
import type { KubeObject } from "../../sim/store/types.ts";
import { openDb } from "../../store/sqlite.ts";
import { DEFAULT_POLICY, parsePolicy } from "../guardrails/policy.ts";
import { loadRunbooks } from "../runbook.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

const at = (hhmm: string) => Date.parse(`2026-01-05T${hhmm}:00Z`);
let h: ActHarness;
let forecaster: PrescaleForecaster;

const web = () => h.cluster.store.mustGet("deployments.apps", "shop", "web");
const reasons = () => forecaster.findings().map((f) => f.reason);
const agent = () =>
  new Agent({
    source: h.source,
    incidents: h.incidents,
    executor: h.executor(),
    audit: h.audit,
    runbooks: loadRunbooks(),
    clock: h.cluster.clock,
    extraFindings: () => forecaster.findings(),
  });
async function tickAt(t: number) {
  while (h.cluster.clock.now() < t) await h.advance(Math.min(60_000, t - h.cluster.clock.now()));
  const a = agent();
  await a.tick();
  await a.stop();
}
const scaleIn = () => loadRunbooks().find((r) => r.name === "traffic-scale-in")!;
const ended = (): Finding => ({
  id: `ended-${h.cluster.clock.now()}`,
  kind: "prediction",
  severity: "info",
  subject: { kind: "Deployment", namespace: "shop", name: "web" },
  affected: [],
  rootCause: "asked directly",
  reason: TRAFFIC_SURGE_ENDED,
  evidence: [],
  confidence: 1,
  source: "forecast/scaling-plan",
  time: h.cluster.clock.now(),
});

beforeAll(async () => {
  h = await startActHarness("traffic-surge", { tickMs: 2_000 });
  const d = structuredClone(web());
  d.metadata.annotations = { ...d.metadata.annotations, [PREDICTIVE_SCALING]: "true" };
  h.cluster.apply([d as KubeObject]);
  await h.advance(10_000);
  forecaster = new PrescaleForecaster({
    history: (days) => clusterHistory(h.cluster, days),
    snapshot: () => h.source.snapshot(),
    clock: h.cluster.clock,
    refreshMs: 24 * 3_600_000,
  });
  await forecaster.refresh();
}, 120_000);
afterAll(async () => h.close());

describe("forecast surge → scale out, then back to the pre-surge count after the window", () => {
  it("doubles web ahead of 09:00 and records the count before it", async () => {
    expect(forecaster.skipped()).toEqual(new Map());
    expect(reasons()).toEqual([TRAFFIC_SURGE]);
    await tickAt(h.cluster.clock.now());
    expect(h.cluster.clock.now()).toBeLessThan(at("09:00"));
    expect([web().spec.replicas, web().status.availableReplicas]).toEqual([6, 6]);
    expect(web().metadata.annotations).toMatchObject({
      [SURGE_BASELINE]: "3",
      [SURGE_REPLICAS]: "6",
      [SURGE_UNTIL]: "2026-01-05T11:15:00Z",
    });
    expect(h.audit.list().at(-1)).toMatchObject({
      action: "scale-out-for-surge",
      result: "applied",
      details: { applied: "scale from 3 to 6 replicas until 2026-01-05T11:15:00Z" },
    });
  }, 120_000);

  it("keeps the replicas through the window and its cool-down, refusing a scale-in asked early", async () => {
    for (const t of ["09:30", "10:30", "11:00", "11:14"]) {
      await tickAt(at(t));
      expect(web().spec.replicas).toBe(6);
      expect(reasons()).not.toContain(TRAFFIC_SURGE_ENDED);
    }
    const [refused] = await h.executor({ db: openDb() }).run(scaleIn(), ended());
    expect(refused).toMatchObject({ action: "scale-in-after-surge", result: "failed" });
    expect(h.audit.list().at(-1)?.details).toMatchObject({
      dryRunError: expect.stringMatching(/run until 2026-01-05T11:15:00Z; it is not scaled in/),
    });
    expect(web().spec.replicas).toBe(6);
  }, 120_000);

  it("keeps them after the cool-down while the forecast still needs more than the recorded count", async () => {
    for (const t of ["11:16", "13:00", "16:59"]) {
      await tickAt(at(t));
      expect(web().spec.replicas).toBe(6);
      expect(reasons()).toEqual([]);
    }
  }, 120_000);

  it("at 17:00 a policy that forbids the scale-in keeps the replicas", async () => {
    await h.advance(at("17:00") - h.cluster.clock.now());
    expect(reasons()).toEqual([TRAFFIC_SURGE_ENDED]);
    h.cluster.apiServer?.clearRequests();
    const policy = parsePolicy({
      ...DEFAULT_POLICY,
      rules: [
        ...DEFAULT_POLICY.rules,
        {
          name: "no-surge-scale-in",
          effect: "deny",
          match: { actions: ["scale-in-after-surge"] },
          reason: "scale-in is left to a human",
        },
      ],
    });
    const [denied] = await h.executor({ db: openDb(), policy }).run(scaleIn(), ended());
    expect(denied).toMatchObject({ action: "scale-in-after-surge", verdict: "denied" });
    const writes = (h.cluster.apiServer?.requests() ?? []).filter((r) => r.method !== "GET");
    expect(writes).toEqual([]);
    expect(web().spec.replicas).toBe(6);
  });

  it("then the agent scales web back to 3 and clears the record, audit chain verified", async () => {
    await tickAt(h.cluster.clock.now());
    expect(web().spec.replicas).toBe(3);
    expect(web().metadata.annotations?.[SURGE_UNTIL]).toBeUndefined();
    expect(web().metadata.annotations?.[SURGE_BASELINE]).toBeUndefined();
    expect(h.audit.list().at(-1)).toMatchObject({
      action: "scale-in-after-surge",
      result: "applied",
      details: { applied: "scale from 6 back to 3 replicas" },
    });
    expect(h.audit.list().map((r) => `${r.action}:${r.result}`)).toEqual([
      "scale-out-for-surge:applied",
      "scale-in-after-surge:failed",
      expect.stringMatching(/^scale-in-after-surge:/),
      "scale-in-after-surge:applied",
    ]);
    expect(h.audit.verify()).toMatchObject({ ok: true, count: 4 });
    await tickAt(at("17:30"));
    expect(reasons()).toEqual([]);
    expect(web().spec.replicas).toBe(3);
  }, 120_000);
});
