/**
 * The runtime's forecast path for a Deployment without an HPA: web opts in with the
 * predictive-scaling annotation, startRuntime plans it from the usage history, and its agent
 * scales web out ahead of traffic-surge's Monday peak through the traffic-scale-out runbook.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActHarness, startActHarness } from "../act/e2e/harness.ts";
import { clusterHistory } from "../forecast/history/simulated.ts";
import { PREDICTIVE_SCALING } from "../forecast/prescale-forecaster.ts";
import { TRAFFIC_SURGE } from "../forecast/surge-predictions.ts";
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
const replicas = () => h.cluster.store.mustGet("deployments.apps", "shop", "web").spec.replicas;

beforeAll(async () => {
  h = await startActHarness("traffic-surge", { tickMs: 2_000 });
  const web = structuredClone(h.cluster.store.mustGet("deployments.apps", "shop", "web"));
  web.metadata.annotations = { ...web.metadata.annotations, [PREDICTIVE_SCALING]: "true" };
  h.cluster.apply([web]);
  rt = await startRuntime({
    kubeconfig: h.kubeconfig,
    clock: h.cluster.clock,
    metricsUrl: false,
    autoStart: false,
    nodeReadiness: false,
    verifyTimeoutMs: 60_000,
    usageHistory: (days) => clusterHistory(h.cluster, days),
  });
}, 120_000);

afterAll(async () => {
  await rt?.close();
  await h?.close();
});

describe("runtime forecast path without an HPA", () => {
  it("predicts the surge on the opted-in Deployment and scales it out before 09:00", async () => {
    expect(replicas()).toBe(3);
    while (h.cluster.clock.now() < Date.parse("2026-01-05T08:55:00Z")) await h.advance(60_000);
    await waitFor(() => rt.agent.findings().some((f) => f.reason === TRAFFIC_SURGE), pause);
    const ticked = rt.agent.tick();
    const scaled = () => rt.audit.list().some((r) => r.action === "scale");
    await waitFor(scaled, async () => {
      await h.advance(2_000);
      await pause();
    });
    await ticked;
    await rt.stop();
    expect(rt.audit.list().find((r) => r.action === "scale")).toMatchObject({ result: "applied" });
    expect(replicas()).toBe(6);
    expect(h.cluster.clock.now()).toBeLessThan(Date.parse("2026-01-05T09:00:00Z"));
    expect(rt.errors()).toEqual([]);
  }, 120_000);
});
