/**
 * Ground truth per simulator scenario: run it, sync a KubeSource against the simulator's API,
 * diagnose, and check that the analyzers find each expected problem (reason and subject from the
 * scenario's `truth`) with a root cause naming the entities that matter — and nothing else from
 * the pod/workload/node analyzers. Metric-only faults are the detect stage's, not diagnose's.
 */
import { describe, expect, it } from "vitest";
import { parseDuration } from "../core/clock.ts";
import type { Finding } from "../core/types.ts";
import { startScenario } from "../sim/scenarios/harness.ts";
import { listScenarios, loadScenario } from "../sim/scenarios/index.ts";
import { ANALYZERS } from "./index.ts";
import { diagnoseSim } from "./sim-run.ts";

const MINE = new Set([
  "diagnose/pod-startup",
  "diagnose/pending",
  "diagnose/probes",
  "diagnose/workloads",
  "diagnose/jobs",
  "diagnose/nodes",
  "diagnose/event-patterns",
]);

interface Case {
  /** Simulated minutes to run when the truth names no `by` (the healthy cluster). */
  minutes?: number;
  tickMs?: number;
  /** Per expected reason: strings its root cause must contain. */
  mentions: Record<string, string[]>;
  /** Findings beyond the truth that the root-cause chain adds (reason → subject name). */
  extra?: { reason: string; subject: string; mentions: string[] }[];
  /** Analyzer ids (another helper's) that must be registered for the truth to be checked. */
  needs?: string[];
}

const METRIC_ONLY = "metric-only fault: the detect/incidents stages find it, not diagnose";

const CASES: Record<string, Case | { skip: string }> = {
  "missing-configmap": {
    mentions: {
      CreateContainerConfigError: ['ConfigMap "api-config"', "namespace shop", "DATABASE_URL"],
    },
  },
  "app-crash-missing-env": {
    mentions: { CrashLoopBackOff: ["exits with code 1", "DATABASE_URL is not set"] },
  },
  "bad-rollout": {
    mentions: {
      CrashLoopBackOff: ["revision 2", "ghcr.io/acme/api:2.5.0", "DB_DSN", "exits with code 2"],
    },
  },
  "image-pull": {
    mentions: { ImagePullBackOff: ["ghcr.io/acme/api:2.4.1", "does not exist in the registry"] },
  },
  "oom-kill": { mentions: { OOMKilled: ["512Mi", "OOMKilled"] } },
  unschedulable: {
    mentions: { FailedScheduling: [] },
    extra: [
      {
        reason: "FailedScheduling",
        subject: "reports",
        mentions: ["requests 6 cpu", "no node has more than 4"],
      },
      {
        reason: "FailedScheduling",
        subject: "trainer",
        mentions: ["node-c-1", "dedicated=ml:NoSchedule"],
      },
    ],
  },
  "ip-exhaustion": {
    mentions: { FailedCreatePodSandBox: ["zone eu-west-1a", "no free IP addresses", "node-a-1"] },
  },
  "disk-pressure": {
    tickMs: 5_000,
    mentions: { Evicted: ["node-b-1", "DiskPressure", "ephemeral-storage"] },
  },
  "node-degradation": {
    tickMs: 5_000,
    mentions: { NodeNotReady: ["node-c-1", "stopped posting status"] },
  },
  demo: {
    mentions: { CreateContainerConfigError: ['ConfigMap "api-config"'], OOMKilled: ["512Mi"] },
  },
  "pvc-missing-storageclass": {
    needs: ["pvc", "storage"],
    mentions: { ProvisioningFailed: ["fast-ssd"] },
    extra: [
      {
        reason: "FailedScheduling",
        subject: "reports",
        mentions: ["StorageClass fast-ssd does not exist"],
      },
    ],
  },
  "service-no-endpoints": {
    needs: ["service"],
    mentions: { NoEndpoints: ["app=api-server"] },
  },
  "hpa-without-requests": {
    needs: ["hpa"],
    mentions: { FailedGetResourceMetric: ["cpu"] },
  },
  healthy: { minutes: 10, mentions: {} },
  "memory-leak": { skip: METRIC_ONLY },
  "traffic-surge": { skip: METRIC_ONLY },
  "latency-cascade": { skip: METRIC_ONLY },
};

/** The latest `by` of the scenario's expected problems: diagnosis runs when all are due. */
function dueBy(name: string): number | undefined {
  const due = loadScenario(name)
    .truth.findings.filter((t) => t.kind === "problem" && t.by)
    .map((t) => parseDuration(t.by as string));
  return due.length ? Math.max(...due) : undefined;
}

function describeFindings(fs: Finding[]): string {
  return fs
    .map((f) => `${f.source} ${f.reason} ${f.subject.kind}/${f.subject.name}: ${f.rootCause}`)
    .join("\n");
}

function checkTruth(name: string, c: Case, findings: Finding[]): void {
  const truth = loadScenario(name).truth.findings.filter((t) => t.kind === "problem");
  const checkD2 = !c.needs || ANALYZERS.some((a) => c.needs?.includes(a.id));
  const expected = [
    ...(checkD2
      ? truth.map((t) => ({
          reason: t.reason,
          subject: t.subject,
          mentions: c.mentions[t.reason] ?? [],
        }))
      : []),
    ...(c.extra ?? []).map((e) => ({
      reason: e.reason,
      subject: { name: e.subject } as { kind?: string; namespace?: string; name: string },
      mentions: e.mentions,
    })),
  ];
  for (const e of expected) {
    const hit = findings.find(
      (f) =>
        f.reason === e.reason &&
        f.subject.name === e.subject.name &&
        (!e.subject.kind || f.subject.kind === e.subject.kind) &&
        (e.subject.namespace === undefined || f.subject.namespace === e.subject.namespace),
    );
    expect(hit, `${e.reason} on ${e.subject.name} in\n${describeFindings(findings)}`).toBeDefined();
    for (const m of e.mentions) expect(hit?.rootCause).toContain(m);
  }
  const unexpected = findings.filter(
    (f) =>
      MINE.has(f.source) &&
      ![...truth, ...expected].some(
        (e) => e.reason === f.reason && e.subject.name === f.subject.name,
      ),
  );
  expect(describeFindings(unexpected)).toBe("");
}

describe("diagnosis of every simulator scenario against its ground truth", () => {
  it("has a case for every scenario", () => {
    expect(
      listScenarios()
        .map((s) => s.name)
        .sort(),
    ).toEqual(Object.keys(CASES).sort());
  });

  for (const [name, c] of Object.entries(CASES)) {
    if ("skip" in c) {
      it.skip(`${name}: ${c.skip}`, () => {});
      continue;
    }
    const waiting = c.needs && !ANALYZERS.some((a) => c.needs?.includes(a.id));
    const title =
      name === "healthy"
        ? "healthy: gives zero findings"
        : waiting
          ? `${name}: finds the pod-level chain (the truth waits for an analyzer ${c.needs?.join(" or ")})`
          : `${name}: finds the expected root cause`;
    it(title, async () => {
      const { cluster } = startScenario(name, { tickMs: c.tickMs });
      cluster.step(dueBy(name) ?? (c.minutes ?? 10) * 60_000);
      const { findings } = await diagnoseSim(cluster);
      if (name === "healthy") expect(describeFindings(findings)).toBe("");
      else checkTruth(name, c, findings);
    }, 30_000);
  }
});
