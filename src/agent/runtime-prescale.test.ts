/**
 * The runtime's forecast path: with a usage history source, startRuntime plans the HPA-scaled
 * workloads and its agent raises the HPA floor ahead of traffic-surge's Monday peak through the
 * prescale runbook (the runtime's own executor, guardrails and audit).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActHarness } from "../act/e2e/harness.ts";
import { startSurgeWithHpa } from "../act/e2e/surge-hpa.ts";
import { clusterHistory } from "../forecast/history/simulated.ts";
import { SURGE_PREDICTED } from "../forecast/prescale.ts";
import { type Runtime, startRuntime } from "./runtime.ts";

let h: ActHarness;
let rt: Runtime;

const waitFor = async (ok: () => boolean, step: () => Promise<void>, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error("timed out");
    await step();
  }
};
const pause = () => new Promise<void>((r) => setTimeout(r, 50));

beforeAll(async () => {
  h = await startSurgeWithHpa();
  rt = await startRuntime({
    kubeconfig: h.kubeconfig,
    clock: h.cluster.clock,
    metricsUrl: false,
    autoStart: false,
    nodeReadiness: false,
    verifyTimeoutMs: 60_000,
    usageHistory: (days) => clusterHistory(h.cluster, days),
  });
  while (h.cluster.clock.now() < Date.parse("2026-01-05T08:55:00Z")) await h.advance(60_000);
}, 120_000);

afterAll(async () => {
  await rt?.close();
  await h?.close();
});

describe("runtime forecast path", () => {
  it("predicts the surge from the usage history and raises the HPA floor before 09:00", async () => {
    await waitFor(() => rt.agent.findings().some((f) => f.reason === SURGE_PREDICTED), pause);
    const ticked = rt.agent.tick();
    const raised = () => rt.audit.list().some((r) => r.action === "raise-hpa-min-replicas");
    await waitFor(raised, async () => {
      await h.advance(2_000);
      await pause();
    });
    await ticked;
    await rt.stop();
    expect(rt.audit.list().at(-1)).toMatchObject({
      action: "raise-hpa-min-replicas",
      result: "applied",
    });
    const hpa = h.cluster.store.mustGet("horizontalpodautoscalers.autoscaling", "shop", "web");
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(9);
    expect(h.cluster.clock.now()).toBeLessThan(Date.parse("2026-01-05T09:00:00Z"));
    expect(rt.errors()).toEqual([]);
  }, 120_000);
});
