/**
 * traffic-surge with an HPA on web: the forecast path (PrescaleForecaster over 28 days of
 * backfilled history, never the day it runs on) raises the HPA's minReplicas a scheduling buffer
 * before Monday's 09:00 surge through the agent, the runbook, the guardrails, a server-side dry
 * run, verification and the audit log, and lowers it back only once the episode is over.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../agent/agent.ts";
import type { Finding } from "../../core/types.ts";
import { clusterHistory } from "../../forecast/history/simulated.ts";
import {
  PRESCALE_BASELINE,
  PRESCALE_FLOOR,
  PRESCALE_UNTIL,
  SURGE_PREDICTED,
  SURGE_WINDOW_ENDED,
} from "../../forecast/prescale.ts";
import { PrescaleForecaster } from "../../forecast/prescale-forecaster.ts";
import { IncidentManager } from "../../incidents/incidents.ts";
import { isPodReady } from "../../sim/telemetry/app-model.ts";
import { openDb } from "../../store/sqlite.ts";
import { DEFAULT_POLICY, parsePolicy } from "../guardrails/policy.ts";
import { loadRunbooks } from "../runbook.ts";
import type { ActHarness } from "./harness.ts";
import { startSurgeWithHpa } from "./surge-hpa.ts";

const at = (hhmm: string) => Date.parse(`2026-01-05T${hhmm}:00Z`);
let h: ActHarness;
let forecaster: PrescaleForecaster;

const hpa = () => h.cluster.store.mustGet("horizontalpodautoscalers.autoscaling", "shop", "web");
const readyWeb = () =>
  h.cluster.store
    .list("pods", { namespace: "shop" })
    .filter((p) => p.metadata.labels?.app === "web" && isPodReady(p)).length;
const hpaWrites = () =>
  (h.cluster.apiServer?.requests() ?? []).filter(
    (r) => r.method === "PATCH" && r.path.endsWith("/horizontalpodautoscalers/web"),
  );
/** An agent over the harness; `isolated` gives it its own runs and incidents (a separate trial). */
const agent = (over: Parameters<ActHarness["executor"]>[0] = {}, isolated = false) => {
  const db = isolated ? openDb() : h.db;
  return new Agent({
    source: h.source,
    incidents: isolated ? new IncidentManager(db) : h.incidents,
    executor: h.executor({ db, ...over }),
    audit: h.audit,
    runbooks: loadRunbooks(),
    clock: h.cluster.clock,
    extraFindings: () => forecaster.findings(),
  });
};
async function advanceTo(t: number) {
  while (h.cluster.clock.now() < t) await h.advance(Math.min(60_000, t - h.cluster.clock.now()));
}

beforeAll(async () => {
  h = await startSurgeWithHpa();
  await h.advance(10_000);
  forecaster = new PrescaleForecaster({
    history: (days) => clusterHistory(h.cluster, days),
    snapshot: () => h.source.snapshot(),
    clock: h.cluster.clock,
  });
  await forecaster.refresh();
}, 120_000);
afterAll(async () => h.close());

describe("forecast → HPA minReplicas raised ahead of the surge, lowered after it", () => {
  it("plans from the backfilled weeks and predicts nothing before the scheduling buffer", async () => {
    expect(forecaster.skipped()).toEqual(new Map());
    await advanceTo(at("08:54"));
    expect(forecaster.findings()).toEqual([]);
    expect(hpa().spec.minReplicas).toBe(3);
  });

  it("in dryRunOnly mode the agent sends only the server-side dry run", async () => {
    await advanceTo(at("08:55"));
    const [f] = forecaster.findings();
    expect(f).toMatchObject({ reason: SURGE_PREDICTED, eta: at("09:00") });
    h.cluster.apiServer?.clearRequests();
    const a = agent({ policy: parsePolicy({ ...DEFAULT_POLICY, mode: "dryRunOnly" }) }, true);
    await a.tick();
    await a.stop();
    expect(hpaWrites().map((r) => r.query.includes("dryRun=All"))).toEqual([true]);
    expect(hpa().spec.minReplicas).toBe(3);
    expect(h.audit.list().at(-1)).toMatchObject({
      action: "raise-hpa-min-replicas",
      result: "dry_run",
    });
  });

  it("raises minReplicas at 08:55 and has the pods ready before 09:00", async () => {
    h.cluster.apiServer?.clearRequests();
    const a = agent();
    const events = await a.tick();
    expect(events.map((e) => e.incident.findings[0]?.reason)).toContain(SURGE_PREDICTED);
    await a.stop();
    const floor = hpa().spec.minReplicas as number;
    expect(floor).toBeGreaterThanOrEqual(9);
    expect(hpa().metadata.annotations).toMatchObject({
      [PRESCALE_BASELINE]: "3",
      [PRESCALE_FLOOR]: String(floor),
      [PRESCALE_UNTIL]: "2026-01-05T11:00:00Z",
    });
    expect(hpaWrites().map((r) => r.query.includes("dryRun=All"))).toEqual([true, false]);
    expect(h.audit.list().at(-1)).toMatchObject({
      action: "raise-hpa-min-replicas",
      result: "applied",
      details: {
        applied: `minReplicas of HPA web from 3 to ${floor} until 2026-01-05T11:00:00Z`,
      },
    });
    expect(h.cluster.clock.now()).toBeLessThan(at("09:00"));
    await advanceTo(at("09:00"));
    expect(readyWeb()).toBeGreaterThanOrEqual(floor);
  }, 120_000);

  it("never lowers the floor during the episode, then restores the baseline after it", async () => {
    const floor = hpa().spec.minReplicas as number;
    const a = agent();
    for (const t of ["09:30", "10:00", "10:30", "10:59"]) {
      await advanceTo(at(t));
      await a.tick();
      expect(hpa().spec.minReplicas).toBe(floor);
    }
    await a.stop();
    expect(forecaster.findings().map((f) => f.reason)).not.toContain(SURGE_WINDOW_ENDED);
    // Even asked directly, the restore refuses before the recorded end.
    const early: Finding = {
      id: "early",
      kind: "prediction",
      severity: "info",
      subject: { kind: "HorizontalPodAutoscaler", namespace: "shop", name: "web" },
      affected: [],
      rootCause: "asked too early",
      reason: SURGE_WINDOW_ENDED,
      evidence: [],
      confidence: 1,
      source: "forecast/prescale",
      time: h.cluster.clock.now(),
    };
    const restore = loadRunbooks().find((r) => r.name === "prescale-restore-min-replicas");
    const [refused] = await h.executor({ db: openDb() }).run(restore!, early);
    expect(refused).toMatchObject({ action: "restore-hpa-min-replicas", result: "failed" });
    expect(h.audit.list().at(-1)?.details).toMatchObject({
      dryRunError: expect.stringMatching(/not lowered before it ends/),
    });
    expect(hpa().spec.minReplicas).toBe(floor);
    await advanceTo(at("11:00"));
    expect(forecaster.findings().map((f) => f.reason)).toEqual([SURGE_WINDOW_ENDED]);
    const replicasBefore = h.cluster.store.mustGet("deployments.apps", "shop", "web").spec.replicas;
    await a.tick();
    await a.stop();
    expect(hpa().spec.minReplicas).toBe(3);
    expect(hpa().metadata.annotations?.[PRESCALE_UNTIL]).toBeUndefined();
    expect(h.audit.list().at(-1)).toMatchObject({
      action: "restore-hpa-min-replicas",
      result: "applied",
    });
    // opsloop never set replicas: the HPA scales in later, on measured load.
    const writes = (h.cluster.apiServer?.requests() ?? []).filter(
      (r) => r.method !== "GET" && r.path.includes("/deployments/web"),
    );
    expect(writes).toEqual([]);
    expect(replicasBefore).toBeGreaterThanOrEqual(floor);
    expect(h.audit.verify()).toMatchObject({ ok: true });
  }, 120_000);
});
