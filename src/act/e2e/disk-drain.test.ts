/**
 * disk-pressure, ahead of the kubelet: live detection (a day of backfilled history, a scrape
 * every 30 s) sees node-b-1's root filesystem fill at 40 GiB/h and predicts DiskPressure; the
 * node-drain runbook, approved by a human, cordons node-b-1 and moves its pods through the
 * eviction API (PodDisruptionBudgets respected) before the kubelet starts evicting with no
 * regard for them. A human then stops the log writer and frees the disk: the prediction clears
 * and the incident resolves.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import type { DetectPipeline } from "../../detect/live/pipeline.ts";
import { NODE_BEHAVIOUR_ANNOTATION } from "../../sim/behaviour.ts";
import { loadRunbooks, matches } from "../runbook.ts";
import {
  type ActHarness,
  autoApprove,
  backfilledPipeline,
  scrapeInto,
  startActHarness,
} from "./harness.ts";

let h: ActHarness;
let pipeline: DetectPipeline;
beforeAll(async () => {
  h = await startActHarness("disk-pressure", { tickMs: 5_000 });
  pipeline = backfilledPipeline(h);
}, 60_000);
afterAll(async () => h.close());

const pods = (
  pred: (p: { spec: { nodeName?: string }; status?: { reason?: string } }) => boolean,
) =>
  h.cluster.store
    .list("pods")
    .filter((p) => pred(p as never))
    .filter((p) => p.metadata.ownerReferences?.[0]?.kind !== "DaemonSet");

describe("predicted disk pressure → node-drain before the kubelet evicts", () => {
  it("drains node-b-1 through the eviction API ahead of the pressure, and resolves once the disk is freed", async () => {
    let finding: Finding | undefined;
    for (let i = 0; i < 60 && !finding; i++)
      finding = (await scrapeInto(h, pipeline)).find(
        (f) => f.reason === "DiskPressurePredicted" && f.subject.name === "node-b-1",
      );
    const f = finding as Finding;
    expect(f).toMatchObject({ kind: "prediction", source: "detect/trend-to-limit" });
    const candidates = loadRunbooks().filter((r) => matches(r, f));
    expect(candidates.map((r) => r.name)).toEqual(["node-drain"]);
    const rb = candidates[0]!;
    const incident = h.incidents.ingest([f], h.cluster.clock.now())[0]?.incident;
    const onNode = pods((p) => p.spec.nodeName === "node-b-1" && p.status?.reason !== "Evicted");
    expect(onNode.length).toBeGreaterThan(0);

    const executor = h.executor({ approvalPollMs: 1_000 });
    const plan = await executor.plan(rb, f);
    expect(plan.steps[0]?.targets[0]).toMatchObject({
      target: { kind: "Node", name: "node-b-1" },
      blast: { nodes: 1 },
      verdict: { needsApproval: true },
    });
    h.cluster.apiServer?.clearRequests();
    const approve = autoApprove(h);
    const actions = await executor.run(rb, f, { incidentId: incident?.id });
    approve();
    expect(actions).toMatchObject([{ action: "drain", verdict: "allowed", result: "applied" }]);
    const node = h.cluster.store.mustGet("nodes", undefined, "node-b-1");
    expect(node.spec.unschedulable).toBe(true);
    // No kubelet eviction yet: every pod left through the eviction API, dry-run first.
    expect(pods((p) => p.status?.reason === "Evicted")).toEqual([]);
    expect(pods((p) => p.spec.nodeName === "node-b-1")).toEqual([]);
    const evictions = (h.cluster.apiServer?.requests() ?? []).filter((r) =>
      r.path.endsWith("/eviction"),
    );
    const firstReal = evictions.findIndex((r) => !r.query.includes("dryRun"));
    expect(firstReal).toBeGreaterThan(0);
    expect(evictions.slice(0, firstReal).every((r) => r.query.includes("dryRun=All"))).toBe(true);
    expect(evictions.filter((r) => r.status === 201 && !r.query.includes("dryRun")).length).toBe(
      onNode.length,
    );
    for (const a of actions) h.incidents.recordAction(incident!.id, a, h.cluster.clock.now());

    // A human stops the writer and frees the disk; the filesystem trend no longer rises.
    h.cluster.store.mutate("nodes", undefined, "node-b-1", (n) => {
      n.metadata.annotations = {
        ...(n.metadata.annotations ?? {}),
        [NODE_BEHAVIOUR_ANNOTATION]: JSON.stringify({
          disk: { capacityGi: 100, usedGi: 40, fillGiPerHour: 0 },
        }),
      };
    });
    let resolved = false;
    for (let i = 0; i < 120 && !resolved; i++) {
      const now = (await scrapeInto(h, pipeline)).filter((x) => x.subject.name === "node-b-1");
      resolved = h.incidents
        .ingest(now, h.cluster.clock.now())
        .some((e) => e.type === "resolved" && e.incident.id === incident?.id);
    }
    expect(resolved).toBe(true);
    expect(h.audit.list().map((r) => `${r.action}:${r.result}`)).toEqual([
      "approval-requested:pending",
      "approval-approved:approved",
      "drain:applied",
    ]);
    expect(h.audit.verify()).toMatchObject({ ok: true, count: 3 });
  }, 120_000);
});
