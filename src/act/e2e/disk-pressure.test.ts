/**
 * disk-pressure: a runaway log writer fills node-b-1's disk; the kubelet evicts pods, which
 * stay behind as Failed objects. Diagnose reports Evicted on the node; cleanup-failed-pods
 * deletes them, canary first, each dry-run first; a failure stops the run. Once the disk is
 * freed (a human stops the writer) the node's pressure clears and the incident resolves.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { NODE_BEHAVIOUR_ANNOTATION } from "../../sim/behaviour.ts";
import { DEFAULT_POLICY, parsePolicy } from "../guardrails/policy.ts";
import { loadRunbooks, matches } from "../runbook.ts";
import { type ActHarness, autoApprove, startActHarness, until } from "./harness.ts";

let h: ActHarness;
let finding: Finding;
beforeAll(async () => {
  h = await startActHarness("disk-pressure", { tickMs: 5_000 });
  let f: Finding | undefined;
  await until(
    h,
    async () => {
      f = (await h.findings()).find((x) => x.reason === "Evicted");
      return f !== undefined;
    },
    60 * 60_000,
    30_000,
  );
  finding = f as Finding;
}, 60_000);
afterAll(async () => h.close());

const failedOn = (node: string) =>
  h.cluster.store
    .list("pods")
    .filter((p) => p.spec.nodeName === node && p.status?.phase === "Failed")
    .map((p) => p.metadata.name as string);

/** The DELETEs of pods, in order: [name, dry run?]. */
const deletes = () =>
  (h.cluster.apiServer?.requests() ?? [])
    .filter((r) => r.method === "DELETE" && r.path.includes("/pods/"))
    .map((r) => [r.path.split("/").at(-1), r.query.includes("dryRun=All")] as const);

const rb = () => loadRunbooks().find((r) => r.name === "cleanup-failed-pods")!;

describe("disk pressure evictions → clean up the evicted pods", () => {
  it("stops at the first target the guardrails refuse: the canary is deleted, the rest stay", async () => {
    const failed = failedOn(finding.subject.name);
    expect(failed.length).toBeGreaterThanOrEqual(3);
    const planned = await h.executor().plan(rb(), finding);
    const [canary, second] = planned.steps[0]!.targets.map((t) => t.target.name);
    const policy = parsePolicy({
      ...DEFAULT_POLICY,
      rules: [
        ...DEFAULT_POLICY.rules,
        {
          name: "keep-one",
          effect: "deny",
          condition: `request.name == '${second}'`,
          reason: "kept for the post-mortem",
        },
      ],
    });
    h.cluster.apiServer?.clearRequests();
    const approve = autoApprove(h);
    const actions = await h.executor({ policy, approvalPollMs: 1_000 }).run(rb(), finding);
    approve();
    expect(actions.map((a) => [a.target.name, a.result])).toEqual([
      [canary, "applied"],
      [second, "skipped"],
    ]);
    expect(actions[1]?.reasons).toEqual(["keep-one: kept for the post-mortem"]);
    expect(deletes()).toEqual([
      [canary, true],
      [canary, false],
    ]);
    expect(failedOn(finding.subject.name).sort()).toEqual(
      failed.filter((p) => p !== canary).sort(),
    );
  }, 60_000);

  it("deletes the rest canary first, each dry-run first, after one approval; the incident resolves once the disk is freed", async () => {
    const f = (await h.findings()).find((x) => x.reason === "Evicted") as Finding;
    const failed = failedOn(f.subject.name);
    expect(failed.length).toBeGreaterThanOrEqual(2);
    const match = loadRunbooks().filter((r) => matches(r, f));
    expect(match.map((r) => r.name)).toEqual(["cleanup-failed-pods"]);
    const incident = h.incidents.ingest([f], h.cluster.clock.now())[0]?.incident;
    const before = h.audit.list({ limit: 1000 }).length;
    h.cluster.apiServer?.clearRequests();
    const approve = autoApprove(h);
    const actions = await h
      .executor({ approvalPollMs: 1_000 })
      .run(match[0]!, f, { incidentId: incident?.id });
    approve();
    expect(actions.every((a) => a.action === "delete-pod" && a.result === "applied")).toBe(true);
    const order = actions.map((a) => a.target.name);
    expect(new Set(order)).toEqual(new Set(failed));
    // Canary, then the batch: each pod dry-run then deleted, one after the other in run order.
    expect(deletes()).toEqual(order.flatMap((p) => [[p, true] as const, [p, false] as const]));
    const records = h.audit.list({ limit: 1000 }).slice(before);
    const asked = records.filter((r) => r.action === "approval-requested");
    expect(asked).toHaveLength(1);
    expect(asked[0]?.why).toMatch(new RegExp(`^delete-pod on ${failed.length} Pods`));
    const done = records.filter((r) => r.action === "delete-pod");
    expect(done.map((r) => (r.details as { dryRun?: string }).dryRun)).toEqual(
      actions.map((a) => `deleted pod ${a.target.namespace}/${a.target.name}`),
    );
    expect(failedOn(f.subject.name)).toEqual([]);
    for (const a of actions) h.incidents.recordAction(incident!.id, a, h.cluster.clock.now());

    // The evicted pods are gone, the pressure is not: the writer still fills the disk. A human
    // stops it and frees the space; the node's DiskPressure clears and the incident resolves.
    h.cluster.store.mutate("nodes", undefined, f.subject.name, (n) => {
      n.metadata.annotations = {
        ...(n.metadata.annotations ?? {}),
        [NODE_BEHAVIOUR_ANNOTATION]: JSON.stringify({
          disk: { capacityGi: 100, usedGi: 40, fillGiPerHour: 0 },
        }),
      };
    });
    let resolved = false;
    await until(
      h,
      async () => {
        const now = (await h.findings()).filter((x) => x.subject.name === f.subject.name);
        resolved ||= h.incidents
          .ingest(now, h.cluster.clock.now())
          .some((e) => e.type === "resolved" && e.incident.id === incident?.id);
        return resolved;
      },
      60 * 60_000,
      30_000,
    );
    expect(h.audit.verify()).toMatchObject({ ok: true });
  }, 60_000);
});
