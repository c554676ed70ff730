import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { loadRunbooks, matches } from "../runbook.ts";
import { type ActHarness, startActHarness, until } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("oom-kill", { tickMs: 2_000 });
});
afterAll(async () => h.close());

const oom = async (): Promise<Finding | undefined> =>
  (await h.findings()).find((f) => f.reason === "OOMKilled" && f.subject.name === "worker");

const limitOf = () =>
  h.cluster.store.mustGet("deployments.apps", "batch", "worker").spec.template.spec.containers[0]
    .resources.limits.memory;

describe("repeated OOMKills → bounded memory-limit raise", () => {
  it("raises 512Mi by half to 768Mi, the pods stop being killed, the incident resolves", async () => {
    let finding: Finding | undefined;
    await until(h, async () => {
      finding = await oom();
      return finding !== undefined;
    });
    const f = finding as Finding;
    const rb = loadRunbooks().find((r) => matches(r, f));
    expect(rb?.name).toBe("oom-raise-memory-limit");
    const incident = h.incidents.ingest([f], h.cluster.clock.now())[0]?.incident;
    const actions = await h.executor().run(rb!, f, { incidentId: incident?.id });
    expect(actions).toMatchObject([
      { action: "raise-memory-limit", verdict: "allowed", result: "applied" },
    ]);
    expect(limitOf()).toBe("768Mi");
    const record = h.audit.list().at(-1);
    expect(record?.details).toMatchObject({
      dryRun: "worker memory limit 512Mi → 768Mi",
      applied: "worker memory limit 512Mi → 768Mi",
    });
    for (const a of actions) h.incidents.recordAction(incident!.id, a, h.cluster.clock.now());
    expect(h.incidents.get(incident!.id)?.status).toBe("remediating");
    // No new OOM kill for ten simulated minutes: the finding is gone and the incident resolves.
    await h.advance(10 * 60_000);
    expect(await oom()).toBeUndefined();
    const events = h.incidents.ingest([], h.cluster.clock.now());
    expect(events.find((e) => e.type === "resolved")?.incident.id).toBe(incident?.id);
    expect(h.audit.verify()).toMatchObject({ ok: true, count: 1 });
  }, 60_000);

  it("never raises above the ceiling: at the ceiling the dry run fails and nothing changes", async () => {
    const f: Finding = {
      id: "again",
      kind: "problem",
      severity: "critical",
      subject: { kind: "Deployment", namespace: "batch", name: "worker" },
      affected: [],
      rootCause: "OOMKilled again",
      reason: "OOMKilled",
      evidence: [],
      confidence: 0.95,
      source: "test",
      time: h.cluster.clock.now(),
    };
    const rb = loadRunbooks().find((r) => r.name === "oom-raise-memory-limit")!;
    const capped = {
      ...rb,
      steps: [{ ...rb.steps[0]!, params: { factor: 1.5, ceiling: "768Mi" } }],
    };
    const [a] = await h.executor().run(capped, f);
    expect(a).toMatchObject({ verdict: "allowed", result: "failed" });
    expect(limitOf()).toBe("768Mi");
    expect(JSON.stringify(h.audit.list().at(-1)?.details)).toContain(
      "already at the ceiling 768Mi",
    );
  }, 30_000);
});
