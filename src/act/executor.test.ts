import type { V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { FixedClock } from "../core/clock.ts";
import type { Finding } from "../core/types.ts";
import { ObjectStore } from "../sim/store/object-store.ts";
import { ResourceRegistry } from "../sim/store/resources.ts";
import type { KubeObject } from "../sim/store/types.ts";
import { openDb } from "../store/sqlite.ts";
import { AuditLog } from "./audit.ts";
import type { ClusterActions } from "./cluster-actions.ts";
import { Executor } from "./executor.ts";
import { DEFAULT_POLICY } from "./guardrails/policy.ts";
import { loadRunbooks } from "./runbook.ts";

const RESTARTED = "kubectl.kubernetes.io/restartedAt";

/** ClusterActions over the simulator's object store; `progress` plays the Deployment controller. */
function storeActions(store: ObjectStore, calls: string[], progress: boolean): ClusterActions {
  return {
    async namespaceLabels(ns) {
      return store.get("namespaces", undefined, ns)?.metadata.labels ?? {};
    },
    async getDeployment(ns, name) {
      return structuredClone(store.mustGet("deployments.apps", ns, name)) as V1Deployment;
    },
    async patchDeployment(ns, name, patch, dryRun) {
      calls.push(dryRun ? "dry-run" : "apply");
      const cur = store.mustGet("deployments.apps", ns, name);
      const next = structuredClone(cur) as KubeObject;
      const at = (
        patch as { spec: { template: { metadata: { annotations: Record<string, string> } } } }
      ).spec.template.metadata.annotations;
      const annotations = { ...next.spec.template.metadata?.annotations, ...at };
      // Strategic merge: a null value deletes the key.
      for (const [k, v] of Object.entries(annotations)) if (v === null) delete annotations[k];
      next.spec.template.metadata = { ...next.spec.template.metadata, annotations };
      const saved = store.update("deployments.apps", next, { dryRun });
      if (!dryRun && progress) {
        store.mutate("deployments.apps", ns, name, (d) => {
          d.status = {
            observedGeneration: d.metadata.generation,
            replicas: 2,
            updatedReplicas: 2,
            availableReplicas: 2,
            readyReplicas: 2,
          };
        });
      }
      return saved as V1Deployment;
    },
  };
}

function setup(protectedNs: boolean, progress = true) {
  const clock = new FixedClock(Date.UTC(2026, 0, 5, 0, 20, 0));
  const store = new ObjectStore(new ResourceRegistry(), clock);
  const labels: Record<string, string> = protectedNs ? { "opsloop.dev/protected": "true" } : {};
  store.create("namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "shop", labels },
  });
  store.create("deployments.apps", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "worker", namespace: "shop" },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "worker" } },
      template: {
        metadata: { labels: { app: "worker" } },
        spec: { containers: [{ name: "worker", image: "worker:1" }] },
      },
    },
  });
  const calls: string[] = [];
  const audit = new AuditLog(openDb(), clock);
  const executor = new Executor({
    cluster: storeActions(store, calls, progress),
    policy: DEFAULT_POLICY,
    audit,
    clock,
    pollMs: 5,
    verifyTimeoutMs: 60,
  });
  return { store, calls, audit, executor };
}

const finding: Finding = {
  id: "f",
  kind: "prediction",
  severity: "critical",
  subject: { kind: "Deployment", namespace: "shop", name: "worker" },
  affected: [],
  rootCause: "memory reaches its limit in 9 min",
  reason: "OOMPredicted",
  evidence: [],
  confidence: 0.99,
  source: "test",
  time: 0,
};

const runbook = loadRunbooks().find((r) => r.name === "oom-predicted-restart");

describe("remediation executor", () => {
  it("ships the oom-predicted-restart runbook", () => {
    expect(runbook?.steps).toEqual([{ action: "rollout-restart", target: "subject" }]);
  });

  it("denies a restart in a protected namespace, changes nothing and audits the denial", async () => {
    const { store, calls, audit, executor } = setup(true);
    const before = store.mustGet("deployments.apps", "shop", "worker");
    const [action] = await executor.run(runbook!, finding);
    expect(action).toMatchObject({ verdict: "denied", result: "skipped" });
    expect(action?.reasons[0]).toMatch(/protected/);
    expect(calls).toEqual([]);
    expect(store.mustGet("deployments.apps", "shop", "worker")).toBe(before);
    expect(audit.list()).toMatchObject([{ id: action?.auditId, result: "denied" }]);
    expect(audit.verify()).toEqual({ ok: true, count: 1 });
  });

  it("dry-runs, applies the kubectl restart annotation and verifies the rollout", async () => {
    const { store, calls, audit, executor } = setup(false);
    const [action] = await executor.run(runbook!, finding);
    expect(calls).toEqual(["dry-run", "apply"]);
    expect(action).toMatchObject({ verdict: "allowed", result: "applied" });
    const d = store.mustGet("deployments.apps", "shop", "worker");
    expect(d.spec.template.metadata.annotations[RESTARTED]).toBe("2026-01-05T00:20:00Z");
    expect(d.metadata.generation).toBe(2);
    expect(audit.list()[0]).toMatchObject({ id: action?.auditId, result: "applied" });
  });

  it("rolls back a restart whose rollout never completes", async () => {
    const { store, calls, audit, executor } = setup(false, false);
    const [action] = await executor.run(runbook!, finding);
    expect(action).toMatchObject({ verdict: "allowed", result: "rolled_back" });
    expect(calls).toEqual(["dry-run", "apply", "apply"]);
    const d = store.mustGet("deployments.apps", "shop", "worker");
    expect(d.spec.template.metadata.annotations).toEqual({});
    expect(audit.list()[0]).toMatchObject({ result: "rolled_back" });
  });
});
