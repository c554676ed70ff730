/**
 * memory-leak: the worker leaks 12Mi/min under a 400Mi limit. Scraped from the simulator's
 * /metrics (cAdvisor and kube-state-metrics series), the trend-to-limit detector predicts the
 * OOM; the agent restarts the Deployment before the kill (dry run first). The prediction clears
 * and the incident resolves — until the leak brings it back: the incident reopens and the
 * agent escalates instead of restarting again. A restart does not cure a leak.
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
    const lifecycle: { type: string; id: string; at: number }[] = [];
    agent.on("incident", (e) =>
      lifecycle.push({ type: e.type, id: e.incident.id, at: h.cluster.clock.now() }),
    );
    h.cluster.apiServer?.clearRequests();
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
    // Server-side dry run first, then the real patch of the pod template.
    const patches = (h.cluster.apiServer?.requests() ?? []).filter(
      (r) => r.method === "PATCH" && r.path.endsWith("/deployments/worker"),
    );
    expect(patches.map((r) => r.query.includes("dryRun=All"))).toEqual([true, false]);
    const applied = h.audit.list().find((r) => r.action === "rollout-restart");
    expect(applied?.details).toMatchObject({
      dryRun: `set kubectl.kubernetes.io/restartedAt=${restartedAt()}`,
      applied: `set kubectl.kubernetes.io/restartedAt=${restartedAt()}`,
      verify: "conditions hold",
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
    // What really happened to the incident: the fresh pod's memory is low, so the prediction
    // cleared and the incident resolved after the restart — for a while. The leak brought the
    // prediction back, the same incident reopened, and the agent escalated it.
    expect(lifecycle.map((e) => e.type)).toEqual(["opened", "resolved", "opened"]);
    expect(new Set(lifecycle.map((e) => e.id))).toEqual(new Set([incident!.id]));
    expect(lifecycle[1]!.at).toBeGreaterThan(applied!.time);
    expect(incidents.get(incident!.id)?.status).toBe("escalated");
    expect(h.audit.verify()).toMatchObject({ ok: true, count: 2 });
  }, 120_000);
});
