/**
 * A restart does not fix a leak: the OOM prediction comes back after the restart. The agent
 * must not restart again until the rate limit stops it; it escalates at the first repeat.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../agent/agent.ts";
import type { Finding } from "../../core/types.ts";
import { IncidentManager } from "../../incidents/incidents.ts";
import { emptySnapshot } from "../../sources/kubernetes/snapshot.ts";
import { loadRunbooks } from "../runbook.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("traffic-surge", { tickMs: 2_000 });
});
afterAll(async () => h.close());

describe("the agent and a fix that does not hold", () => {
  it("restarts once, then escalates with a clear reason when the prediction comes back", async () => {
    let firing = true;
    const leak = (): Finding => ({
      id: "leak",
      kind: "prediction",
      severity: "critical",
      subject: { kind: "Deployment", namespace: "shop", name: "web" },
      affected: [],
      rootCause:
        "memory of container web grows 12 MiB/min and reaches its limit at 2026-01-05T09:40Z (OOM)",
      reason: "OOMPredicted",
      evidence: [],
      confidence: 0.99,
      source: "detect/trend-to-limit",
      time: h.cluster.clock.now(),
    });
    const incidents = new IncidentManager(h.db, { resolveAfterMs: 5 * 60_000 });
    const agent = new Agent({
      source: { snapshot: () => emptySnapshot() },
      incidents,
      executor: h.executor(),
      audit: h.audit,
      runbooks: loadRunbooks(),
      clock: h.cluster.clock,
      extraFindings: () => (firing ? [leak()] : []),
    });
    const first = (await agent.tick()).find((e) => e.type === "opened")?.incident;
    await agent.stop();
    expect(incidents.get(first!.id)).toMatchObject({
      status: "remediating",
      actions: [{ result: "applied" }],
    });
    // The restart released the memory: quiet long enough to resolve.
    firing = false;
    await h.advance(6 * 60_000);
    await agent.tick();
    expect(incidents.get(first!.id)?.status).toBe("resolved");
    // Twenty minutes later the leak has grown back.
    await h.advance(14 * 60_000);
    firing = true;
    await agent.tick();
    await agent.stop();
    const again = incidents.list({ active: true }).find((i) => i.subject.name === "web");
    expect(again?.status).toBe("escalated");
    expect(again?.actions.at(-1)).toMatchObject({ result: "skipped", verdict: "denied" });
    expect(again?.actions.at(-1)?.reasons[0]).toMatch(
      /^oom-predicted-restart already ran on Deployment shop\/web \d+ min ago and OOMPredicted came back: the fix does not hold/,
    );
    const restarts = h.audit.list().filter((r) => r.action === "rollout-restart");
    expect(restarts.map((r) => r.result)).toEqual(["applied", "escalated"]);
  }, 60_000);
});
