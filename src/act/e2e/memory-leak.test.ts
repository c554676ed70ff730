/**
 * memory-leak: the worker leaks 12Mi/min under a 400Mi limit. Scraped from the simulator's
 * /metrics (cAdvisor and kube-state-metrics series), the trend-to-limit detector predicts the
 * OOM; the agent restarts the Deployment before the kill. The leak comes back after the
 * restart, so the next prediction escalates instead of restarting again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../agent/agent.ts";
import { IncidentManager } from "../../incidents/incidents.ts";
import { parseExposition } from "../../sources/prometheus/scrape.ts";
import { loadRunbooks } from "../runbook.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("memory-leak", { tickMs: 5_000, warmup: 60_000 });
});
afterAll(async () => h.close());

describe("memory leak → rolling restart ahead of the predicted OOM", () => {
  it("restarts the worker before any OOM kill, then escalates when the leak returns", async () => {
    const incidents = new IncidentManager(h.db);
    const agent = new Agent({
      source: h.source,
      incidents,
      executor: h.executor(),
      audit: h.audit,
      runbooks: loadRunbooks(),
      clock: h.cluster.clock,
    });
    const scrape = () =>
      agent.observeSamples(parseExposition(h.cluster.telemetry.render(), h.cluster.clock.now()));
    const restartedAt = () =>
      h.cluster.store.mustGet("deployments.apps", "batch", "worker").spec.template.metadata
        .annotations?.["kubectl.kubernetes.io/restartedAt"];
    let minutes = 0;
    while (!restartedAt() && minutes < 30) {
      await h.advance(60_000);
      minutes++;
      scrape();
      await agent.tick();
      await agent.stop();
    }
    expect(restartedAt()).toBeDefined();
    // The restart came before the first kill (about 25 minutes after the start).
    const oomKilled = h.cluster.store
      .list("pods", { namespace: "batch" })
      .flatMap((p) => p.status?.containerStatuses ?? [])
      .filter(
        (c: { lastState?: { terminated?: { reason?: string } } }) =>
          c.lastState?.terminated?.reason === "OOMKilled",
      );
    expect(oomKilled).toEqual([]);
    expect(minutes).toBeLessThan(25);
    const incident = incidents.list().find((i) => i.subject.name === "worker");
    expect(incident?.findings[0]).toMatchObject({ reason: "OOMPredicted", kind: "prediction" });
    expect(incident?.rootCause).toMatch(
      /reaches its limit of 400 MiB at \d{4}-\d\d-\d\dT\d\d:\d\dZ \(OOM\)/,
    );
    expect(incident?.actions[0]).toMatchObject({
      runbook: "oom-predicted-restart",
      result: "applied",
    });

    // The new pod leaks again: the next prediction must escalate, not restart once more.
    for (let m = 0; m < 40 && incidents.get(incident!.id)?.status !== "escalated"; m++) {
      await h.advance(60_000);
      scrape();
      await agent.tick();
      await agent.stop();
    }
    const restarts = h.audit.list({ limit: 1000 }).filter((r) => r.action === "rollout-restart");
    expect(restarts.map((r) => r.result)).toEqual(["applied", "escalated"]);
    expect(restarts[1]?.verdict?.reasons[0]).toMatch(/came back: the fix does not hold/);
  }, 120_000);
});
