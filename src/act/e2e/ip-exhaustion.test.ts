/**
 * ip-exhaustion: zone eu-west-1a's subnet has no free IPs, so api's new pods on node-a-1 fail
 * sandbox creation. Diagnose reports FailedCreatePodSandBox on api; no automation can add IP
 * addresses, so notify-only records it for a human and changes nothing. The human frees the
 * subnet, the pods start, and the incident resolves.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { NODE_BEHAVIOUR_ANNOTATION } from "../../sim/behaviour.ts";
import { loadRunbooks, matches } from "../runbook.ts";
import { type ActHarness, startActHarness, until } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("ip-exhaustion", { tickMs: 2_000 });
});
afterAll(async () => h.close());

const sandbox = async (): Promise<Finding | undefined> =>
  (await h.findings()).find((f) => f.reason === "FailedCreatePodSandBox");

describe("subnet out of IPs → notify-only", () => {
  it("records the finding for a human, writes nothing, and resolves once the subnet is freed", async () => {
    let finding: Finding | undefined;
    await until(h, async () => {
      finding = await sandbox();
      return finding !== undefined;
    });
    const f = finding as Finding;
    expect(f.subject).toMatchObject({ kind: "Deployment", namespace: "shop", name: "api" });
    expect(f.rootCause).toMatch(/no free IP addresses/);
    const rbs = loadRunbooks().filter((r) => matches(r, f));
    expect(rbs.map((r) => r.name)).toEqual(["notify-only"]);
    const rb = rbs[0]!;
    const incident = h.incidents.ingest([f], h.cluster.clock.now())[0]?.incident;

    const executor = h.executor();
    const plan = await executor.plan(rb, f);
    expect(plan.steps).toMatchObject([
      { action: "notify", targets: [{ target: f.subject, verdict: { allowed: true } }] },
    ]);
    h.cluster.apiServer?.clearRequests();
    const actions = await executor.run(rb, f, { incidentId: incident?.id });
    expect(actions).toMatchObject([{ action: "notify", verdict: "allowed", result: "applied" }]);
    expect((h.cluster.apiServer?.requests() ?? []).filter((r) => r.method !== "GET")).toEqual([]);
    const record = h.audit.list().at(-1);
    expect(record).toMatchObject({ action: "notify", result: "applied", target: f.subject });
    expect(record?.why).toMatch(/^notify-only: FailedCreatePodSandBox — the subnet of zone/);
    expect(record?.details).toMatchObject({
      dryRun: expect.stringContaining("needs a human decision"),
      applied: expect.stringContaining("needs a human decision"),
    });
    for (const a of actions) h.incidents.recordAction(incident!.id, a, h.cluster.clock.now());

    // The human adds addresses to the subnet: the stuck pods get their sandboxes.
    h.cluster.store.mutate("nodes", undefined, "node-a-1", (n) => {
      n.metadata.annotations = {
        ...(n.metadata.annotations ?? {}),
        [NODE_BEHAVIOUR_ANNOTATION]: JSON.stringify({ subnetFreeIPs: 100 }),
      };
    });
    let resolved = false;
    await until(h, async () => {
      const now = await sandbox();
      resolved ||= h.incidents
        .ingest(now ? [now] : [], h.cluster.clock.now())
        .some((e) => e.type === "resolved" && e.incident.id === incident?.id);
      return resolved;
    });
    expect(h.audit.list().map((r) => `${r.action}:${r.result}`)).toEqual(["notify:applied"]);
    expect(h.audit.verify()).toMatchObject({ ok: true, count: 1 });
  }, 60_000);
});
