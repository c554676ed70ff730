import { describe, expect, it } from "vitest";
import type { ActionSummary, Finding } from "../core/types.ts";
import { openDb } from "../store/sqlite.ts";
import { IncidentManager } from "./incidents.ts";
import { roiReport } from "./roi.ts";

const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const MIN = 60_000;

function finding(reason: string, name: string, rootCause: string, pod: string): Finding {
  return {
    id: `${reason}/${name}`,
    kind: "problem",
    severity: "critical",
    subject: { kind: "Deployment", namespace: "shop", name },
    affected: [{ kind: "Pod", namespace: "shop", name: pod }],
    rootCause,
    reason,
    evidence: [],
    confidence: 0.9,
    source: "test",
    time: T0,
  };
}

const oom = (pod: string) =>
  finding(
    "OOMKilled",
    "ledger",
    "Container ledger was OOM-killed: memory limit 512Mi is below its working set",
    pod,
  );
const config = finding(
  "CreateContainerConfigError",
  "api",
  'ConfigMap "api-config" does not exist in namespace shop',
  "api-7d9f8b6c5-x2k4q",
);

function applied(runbook: string, time: number): ActionSummary {
  return {
    runId: `r-${time}`,
    runbook,
    action: "rollout-restart",
    target: { kind: "Deployment", namespace: "shop", name: "ledger" },
    verdict: "allowed",
    reasons: [],
    result: "applied",
    auditId: `a-${time}`,
    time,
  };
}

describe("incident knowledge", () => {
  it("stores resolved incidents, finds the similar one and proposes the runbook that worked", () => {
    const db = openDb();
    const m = new IncidentManager(db, { resolveAfterMs: 2 * MIN });
    const [first] = m.ingest([oom("ledger-5f6c7d8e9a-abcde"), config], T0);
    m.recordAction(first?.incident.id ?? "", applied("raise-memory-limit", T0 + MIN), T0 + MIN);
    m.ingest([], T0 + 5 * MIN);
    const kb = m.knowledge;
    expect(kb.entries().map((e) => [e.reasons[0], e.outcome, e.runbook])).toEqual([
      ["OOMKilled", "auto-resolved", "raise-memory-limit"],
      ["CreateContainerConfigError", "resolved", undefined],
    ]);

    // A week later the same workload is OOM-killed again (a different pod of a new ReplicaSet).
    const later = T0 + 7 * 24 * 60 * MIN;
    const again = { ...oom("ledger-6a7b8c9d0e-fghij"), reason: "OOMKilled", time: later };
    m.ingest([{ ...again, subject: { ...again.subject } }], later);
    const open = m.list({ active: true })[0];
    expect(open?.previous).toHaveLength(1);
    const similar = kb.similar(open as NonNullable<typeof open>);
    expect(similar[0]?.entry.reasons).toEqual(["OOMKilled"]);
    expect(similar[0]?.sameWorkload).toBe(true);
    expect(
      similar.find((s) => s.entry.reasons[0] === "CreateContainerConfigError")?.score ?? 0,
    ).toBeLessThan(similar[0]?.score ?? 0);
    expect(
      kb.proposeRunbooks(open as NonNullable<typeof open>, [
        "oom-predicted-restart",
        "raise-memory-limit",
      ]),
    ).toEqual(["raise-memory-limit", "oom-predicted-restart"]);

    const byText = kb.similar("api pods fail: configmap api-config missing");
    expect(byText[0]?.entry.reasons).toEqual(["CreateContainerConfigError"]);

    const report = roiReport(db);
    expect(report.incidents).toBe(3);
    expect(report.recurrenceRate).toBeCloseTo(1 / 3);
    expect(report.autoResolvedShare).toBeCloseTo(1 / 2);
  });

  it("marks a new incident of the same workload and reason as a recurrence of the stored one", () => {
    const m = new IncidentManager(openDb(), { resolveAfterMs: 2 * MIN });
    const onPod = (pod: string, time: number) => ({
      ...config,
      subject: { kind: "Pod", namespace: "shop", name: pod },
      affected: [],
      time,
    });
    const [first] = m.ingest([onPod("api-7d9f8b6c5-x2k4q", T0)], T0);
    m.ingest([], T0 + 5 * MIN);
    // A pod of the next ReplicaSet: another incident key, but the same workload and reason.
    const [ev] = m.ingest([onPod("api-5c4b6d7f8-zz9qv", T0 + 60 * MIN)], T0 + 60 * MIN);
    expect(ev?.type).toBe("opened");
    expect(ev?.incident.id).not.toBe(first?.incident.id);
    expect(ev?.incident.previous).toBeUndefined();
    expect(ev?.incident.recurrenceOf).toBe(first?.incident.id);
  });
});
