import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { loadRunbooks, matches } from "../runbook.ts";
import { type ActHarness, autoApprove, startActHarness, until } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("bad-rollout");
});
afterAll(async () => h.close());

const crashLoop = async (): Promise<Finding | undefined> =>
  (await h.findings()).find((f) => f.reason === "CrashLoopBackOff" && f.subject.name === "api");

describe("bad rollout → rollout undo", () => {
  it("asks for approval and changes nothing when the human rejects", async () => {
    let finding: Finding | undefined;
    await until(h, async () => {
      finding = await crashLoop();
      return finding !== undefined;
    });
    const before = h.cluster.store.mustGet("deployments.apps", "shop", "api");
    const reject = setInterval(() => {
      for (const a of h.approvals.list({ status: "pending" }))
        h.approvals.reject(a.id, { actor: "bob", reason: "not during the sale" });
    }, 5);
    const rb = loadRunbooks().find((r) => r.name === "bad-rollout-undo")!;
    const executor = h.executor({ approvalPollMs: 1000 });
    const [a] = await executor.run(rb, finding as Finding);
    clearInterval(reject);
    expect(a).toMatchObject({
      action: "rollout-undo",
      verdict: "needs_approval",
      result: "skipped",
    });
    expect(h.cluster.store.mustGet("deployments.apps", "shop", "api").spec).toEqual(before.spec);
    expect(executor.runs.get(a!.runId)).toMatchObject({ status: "denied", phase: "done" });
    const trail = h.audit.list().map((r) => `${r.action}:${r.result}`);
    expect(trail).toEqual([
      "approval-requested:pending",
      "approval-rejected:rejected",
      "rollout-undo:not_approved",
    ]);
  });

  it("finds the crash loop, undoes to the previous revision, verifies and resolves, with an audit trail", async () => {
    let finding: Finding | undefined;
    await until(h, async () => {
      finding = await crashLoop();
      return finding !== undefined;
    });
    const rb = loadRunbooks().find((r) => matches(r, finding as Finding));
    expect(rb?.name).toBe("bad-rollout-undo");
    const opened = h.incidents.ingest([finding as Finding], h.cluster.clock.now());
    const incident = opened[0]?.incident;
    // rollout-undo needs a human's approval under the default policy: approve as soon as asked.
    const stop = autoApprove(h, "alice");
    const actions = await h
      .executor({ approvalPollMs: 1000 })
      .run(rb!, finding as Finding, { incidentId: incident?.id });
    stop();
    expect(actions).toMatchObject([
      { action: "rollout-undo", verdict: "allowed", result: "applied" },
    ]);
    const d = h.cluster.store.mustGet("deployments.apps", "shop", "api");
    expect(d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    // The previous revision's template is back (the image before 2.5.0).
    expect(d.spec.template.spec.containers[0].image).not.toMatch(/2\.5\.0/);
    await until(h, async () => (await crashLoop()) === undefined);
    for (const a of actions) h.incidents.recordAction(incident!.id, a, h.cluster.clock.now());
    const later = h.cluster.clock.now() + 10 * 60_000;
    const events = h.incidents.ingest([], later);
    expect(events.find((e) => e.type === "resolved")?.incident.id).toBe(incident?.id);
    const trail = h.audit.list().map((r) => `${r.action}:${r.result}`);
    expect(trail.slice(-3)).toEqual([
      "approval-requested:pending",
      "approval-approved:approved",
      "rollout-undo:applied",
    ]);
    const applied = h.audit.list().at(-1);
    expect(applied?.details).toMatchObject({
      dryRun: expect.stringMatching(/rolled back to revision 1/),
    });
    expect(h.audit.verify()).toMatchObject({ ok: true });
  });
});
