/**
 * The runtime's forecast path: with a usage history source, startRuntime plans the workloads and
 * its agent acts ahead of traffic-surge's Monday peak through its own executor, guardrails and
 * audit — raising the HPA floor (prescale runbook) where web has an HPA, scaling web out
 * (traffic-scale-out runbook) where it has none and opts in by annotation.
 */
import { afterAll, describe, expect, it } from "vitest";
import { type ActHarness, startActHarness } from "../act/e2e/harness.ts";
import { startSurgeWithHpa } from "../act/e2e/surge-hpa.ts";
import { clusterHistory } from "../forecast/history/simulated.ts";
import { SURGE_PREDICTED } from "../forecast/prescale.ts";
import { PREDICTIVE_SCALING } from "../forecast/prescale-forecaster.ts";
import { TRAFFIC_SURGE } from "../forecast/surge-predictions.ts";
import { type Runtime, startRuntime } from "./runtime.ts";

const waitFor = async (ok: () => boolean, step: () => Promise<void>, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error("timed out");
    await step();
  }
};
const pause = () => new Promise<void>((r) => setTimeout(r, 50));
const started: { h: ActHarness; rt: Runtime }[] = [];

afterAll(async () => {
  for (const { h, rt } of started) {
    await rt.close();
    await h.close();
  }
});

/** A runtime on the harness's cluster, fed the cluster's usage history, run up to 08:55. */
async function forecastRuntime(h: ActHarness): Promise<Runtime> {
  const rt = await startRuntime({
    kubeconfig: h.kubeconfig,
    clock: h.cluster.clock,
    metricsUrl: false,
    autoStart: false,
    nodeReadiness: false,
    verifyTimeoutMs: 60_000,
    usageHistory: (days) => clusterHistory(h.cluster, days),
  });
  started.push({ h, rt });
  while (h.cluster.clock.now() < Date.parse("2026-01-05T08:55:00Z")) await h.advance(60_000);
  return rt;
}

/** Waits for the prediction, ticks the agent until `action` is audited, and stops the runtime. */
async function actOn(h: ActHarness, rt: Runtime, reason: string, action: string) {
  await waitFor(() => rt.agent.findings().some((f) => f.reason === reason), pause);
  const ticked = rt.agent.tick();
  await waitFor(
    () => rt.audit.list().some((r) => r.action === action),
    async () => {
      await h.advance(2_000);
      await pause();
    },
  );
  await ticked;
  await rt.stop();
  expect(rt.audit.list().find((r) => r.action === action)).toMatchObject({ result: "applied" });
  expect(h.cluster.clock.now()).toBeLessThan(Date.parse("2026-01-05T09:00:00Z"));
  expect(rt.errors()).toEqual([]);
}

describe("runtime forecast path", () => {
  it("predicts the surge from the usage history and raises the HPA floor before 09:00", async () => {
    const h = await startSurgeWithHpa();
    const rt = await forecastRuntime(h);
    await actOn(h, rt, SURGE_PREDICTED, "raise-hpa-min-replicas");
    const hpa = h.cluster.store.mustGet("horizontalpodautoscalers.autoscaling", "shop", "web");
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(9);
  }, 180_000);

  it("scales out an opted-in Deployment without an HPA before 09:00", async () => {
    const h = await startActHarness("traffic-surge", { tickMs: 2_000 });
    const web = structuredClone(h.cluster.store.mustGet("deployments.apps", "shop", "web"));
    web.metadata.annotations = { ...web.metadata.annotations, [PREDICTIVE_SCALING]: "true" };
    h.cluster.apply([web]);
    const replicas = () => h.cluster.store.mustGet("deployments.apps", "shop", "web").spec.replicas;
    expect(replicas()).toBe(3);
    const rt = await forecastRuntime(h);
    await actOn(h, rt, TRAFFIC_SURGE, "scale-out-for-surge");
    expect(replicas()).toBe(6);
  }, 180_000);
});
