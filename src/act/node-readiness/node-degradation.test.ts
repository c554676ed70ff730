/**
 * End to end on the node-degradation scenario: the NodeReadinessRule CRD registered through the
 * API, a predicted failure of node-c-1 sets the PredictedFailure condition (the first step of the
 * node-predicted-failure runbook, through the executor and the guardrails), opsloop's enforcer
 * taints the node NoSchedule, and clearing the condition untaints it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { ActionSummary, Finding } from "../../core/types.ts";
import type { SimCluster } from "../../sim/cluster.ts";
import { startScenario } from "../../sim/scenarios/harness.ts";
import { loadKubeConfig } from "../../sources/kubernetes/kube-source.ts";
import { openDb } from "../../store/sqlite.ts";
import { AuditLog } from "../audit.ts";
import { kubeClusterActions } from "../cluster-actions.ts";
import { Executor } from "../executor.ts";
import { DEFAULT_POLICY, type Policy, parsePolicy } from "../guardrails/policy.ts";
import { NodeReadinessEnforcer } from "./controller.ts";
import {
  PREDICTED_FAILURE_CONDITION,
  PREDICTED_FAILURE_TAINT,
  predictedFailureRunbook,
  predictiveIsolationRule,
} from "./predictive-isolation.ts";
import {
  type NodeReadinessRule,
  NRR_GROUP,
  NRR_PLURAL,
  NRR_VERSION,
  nodeReadinessRuleCrd,
} from "./types.ts";

const GVR = { group: NRR_GROUP, version: NRR_VERSION, plural: NRR_PLURAL };
let cluster: SimCluster;
let kc: KubeConfig;

beforeAll(async () => {
  cluster = startScenario("node-degradation", { tickMs: 5_000 }).cluster;
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  const file = join(mkdtempSync(join(tmpdir(), "nrr-")), "kubeconfig");
  cluster.writeKubeconfig(file);
  kc = loadKubeConfig(file);
  cluster.step(90 * 60_000); // node-c-1 has been degrading for 89 minutes
});
afterAll(() => cluster.close());

function prediction(): Finding {
  return {
    id: "f-node-c-1",
    kind: "prediction",
    severity: "critical",
    subject: { kind: "Node", name: "node-c-1" },
    affected: [],
    rootCause: "ECC errors and disk latency on node-c-1 grow toward failure",
    reason: "NodeFailurePredicted",
    evidence: [],
    confidence: 0.9,
    source: "test",
    time: cluster.clock.now(),
    eta: cluster.clock.now() + 90 * 60_000,
  };
}

/** Runs the isolation step through an executor under `policy`; its one action summary. */
async function setPredictedFailure(
  deps: { policy: Policy; audit: AuditLog },
  finding: Finding,
  failing = true,
): Promise<ActionSummary> {
  const executor = new Executor({
    cluster: kubeClusterActions(kc),
    policy: deps.policy,
    audit: deps.audit,
    clock: cluster.clock,
    wall: cluster.clock,
    sleep: async (ms) => {
      cluster.step(ms);
    },
  });
  const [a] = await executor.run(predictedFailureRunbook(failing), finding);
  return a as ActionSummary;
}

async function node(name: string) {
  return kc.makeApiClient(CoreV1Api).readNode({ name });
}
const hasTaint = async (name: string) =>
  ((await node(name)).spec?.taints ?? []).some(
    (t) => t.key === PREDICTED_FAILURE_TAINT && t.effect === "NoSchedule",
  );
const condition = async (name: string) =>
  ((await node(name)).status?.conditions ?? []).find((c) => c.type === PREDICTED_FAILURE_CONDITION);

describe("predictive node isolation on node-degradation", () => {
  it("isolates the failing node through a NodeReadinessRule and releases it when cleared", async () => {
    const db = openDb();
    const audit = new AuditLog(db, cluster.clock);
    const enforcer = new NodeReadinessEnforcer({ kc, clock: cluster.clock, audit });
    expect(await enforcer.reconcile()).toEqual({
      skipped: "the NodeReadinessRule CRD is not installed",
      rules: [],
    });

    await kc
      .makeApiClient(ApiextensionsV1Api)
      .createCustomResourceDefinition({ body: nodeReadinessRuleCrd() as never });
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.createClusterCustomObject({ ...GVR, body: predictiveIsolationRule() });
    const first = await enforcer.reconcile();
    expect(first.rules).toEqual([
      {
        rule: "opsloop-predictive-isolation",
        dryRun: false,
        added: [],
        removed: [],
        bootstrapCompleted: [],
        failed: [],
      },
    ]);

    const deps = { policy: DEFAULT_POLICY, audit };
    const set = await setPredictedFailure(deps, prediction());
    expect(set).toMatchObject({
      action: "set-node-condition",
      result: "applied",
      verdict: "allowed",
    });
    cluster.step(30_000); // kubelet heartbeats keep the condition
    expect(await condition("node-c-1")).toMatchObject({
      status: "True",
      reason: "NodeFailurePredicted",
    });

    const second = await enforcer.reconcile();
    expect(second.rules[0]).toMatchObject({ added: ["node-c-1"], removed: [] });
    expect(await hasTaint("node-c-1")).toBe(true);
    expect(await hasTaint("node-a-1")).toBe(false);
    const rule = (await custom.getClusterCustomObject({
      ...GVR,
      name: "opsloop-predictive-isolation",
    })) as NodeReadinessRule;
    expect(rule.status?.appliedNodes?.sort()).toEqual(["node-a-1", "node-b-1", "node-c-1"]);
    expect(rule.status?.observedGeneration).toBe(1);
    expect(rule.metadata.generation).toBe(1);
    expect(rule.status?.nodeEvaluations?.find((e) => e.nodeName === "node-c-1")).toMatchObject({
      taintStatus: "Present",
      conditionResults: [
        {
          type: PREDICTED_FAILURE_CONDITION,
          currentStatus: "True",
          requiredStatus: "False",
          defaultStatus: "False",
          satisfied: false,
          missing: false,
        },
      ],
    });

    // New pods avoid the node: scale web up and look where the scheduler put them.
    cluster.store.mutate("deployments.apps", "shop", "web", (d) => {
      d.spec.replicas = 9;
    });
    cluster.step(20_000);
    const fresh = cluster.store
      .list("pods", { namespace: "shop" })
      .filter(
        (p) =>
          (p.metadata.name as string).startsWith("web-") &&
          Date.parse(p.metadata.creationTimestamp as string) > cluster.clock.now() - 21_000,
      );
    expect(fresh.length).toBe(6);
    expect(fresh.every((p) => p.spec?.nodeName && p.spec.nodeName !== "node-c-1")).toBe(true);

    expect((await setPredictedFailure(deps, prediction(), false)).result).toBe("applied");
    expect((await enforcer.reconcile()).rules[0]).toMatchObject({
      added: [],
      removed: ["node-c-1"],
    });
    expect(await hasTaint("node-c-1")).toBe(false);
    expect(audit.list().map((r) => [r.action, r.result])).toEqual([
      ["set-node-condition", "applied"],
      ["taint-node", "applied"],
      ["set-node-condition", "applied"],
      ["untaint-node", "applied"],
    ]);
    expect(audit.verify().ok).toBe(true);
  });

  it("writes nothing when the guardrails deny set-node-condition, and only dry-runs in dryRunOnly mode", async () => {
    const audit = new AuditLog(openDb(), cluster.clock);
    const strict = parsePolicy({
      allowedActions: ["set-node-condition"],
      rules: [
        {
          name: "critical-only",
          effect: "deny",
          condition: "request.action == 'set-node-condition' && finding.severity != 'critical'",
          reason: "only critical predictions isolate nodes",
        },
      ],
    });
    const deps = { policy: strict, audit };
    const warn = {
      ...prediction(),
      subject: { kind: "Node", name: "node-b-1" },
      severity: "warning" as const,
    };
    const denied = await setPredictedFailure(deps, warn);
    expect(denied).toMatchObject({ result: "skipped", verdict: "denied" });
    expect(denied.reasons).toEqual(["critical-only: only critical predictions isolate nodes"]);
    const dry = await setPredictedFailure(
      { ...deps, policy: { ...strict, mode: "dryRunOnly" } },
      { ...warn, severity: "critical" },
    );
    expect(dry).toMatchObject({ result: "dry_run", verdict: "denied" });
    expect(await condition("node-b-1")).toBeUndefined();
    const writes = (cluster.apiServer?.requests() ?? []).filter(
      (r) => r.method !== "GET" && r.path.includes("/nodes/node-b-1/status"),
    );
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((w) => w.query.includes("dryRun=All"))).toBe(true);
  });

  it("reports a dry-run rule's intended changes in status.dryRunResults without tainting", async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const body: NodeReadinessRule = {
      apiVersion: `${NRR_GROUP}/${NRR_VERSION}`,
      kind: "NodeReadinessRule",
      metadata: { name: "storage-gate" },
      spec: {
        conditions: [{ type: "csi.example.com/Ready", requiredStatus: "True" }],
        enforcementMode: "continuous",
        taint: { key: "readiness.k8s.io/storage", effect: "NoSchedule" },
        nodeSelector: { matchLabels: { "topology.kubernetes.io/zone": "eu-west-1a" } },
        dryRun: true,
      },
    };
    await custom.createClusterCustomObject({ ...GVR, body });
    const report = await new NodeReadinessEnforcer({ kc, clock: cluster.clock }).reconcile();
    expect(report.rules.find((r) => r.rule === "storage-gate")).toMatchObject({
      dryRun: true,
      added: [],
    });
    const rule = (await custom.getClusterCustomObject({
      ...GVR,
      name: "storage-gate",
    })) as NodeReadinessRule;
    expect(rule.status?.dryRunResults).toEqual({
      affectedNodes: 1,
      taintsToAdd: 1,
      taintsToRemove: 0,
      riskyOperations: 1,
      summary:
        "would add the taint to 1 and remove it from 0 of 1 matching nodes; 1 nodes miss a required condition",
    });
    expect(
      ((await node("node-a-1")).spec?.taints ?? []).some(
        (t) => t.key === "readiness.k8s.io/storage",
      ),
    ).toBe(false);

    // A second rule managing the predictive-isolation taint on overlapping nodes is not run.
    cluster.step(5_000);
    const copy = predictiveIsolationRule("copycat");
    copy.spec.nodeSelector = { matchLabels: { "topology.kubernetes.io/zone": "eu-west-1c" } };
    await custom.createClusterCustomObject({ ...GVR, body: copy });
    const again = await new NodeReadinessEnforcer({ kc, clock: cluster.clock }).reconcile();
    expect(again.rules.find((r) => r.rule === "copycat")?.invalid).toBe(
      "conflicts with NodeReadinessRule opsloop-predictive-isolation: same taint key and effect on overlapping nodes",
    );
    await custom.deleteClusterCustomObject({ ...GVR, name: "copycat" });
  });

  it("keeps enforcing on its own once started", async () => {
    const audit = new AuditLog(openDb(), cluster.clock);
    const enforcer = new NodeReadinessEnforcer({ kc, clock: cluster.clock, audit });
    const deps = { policy: DEFAULT_POLICY, audit };
    enforcer.start(50);
    try {
      await setPredictedFailure(deps, prediction());
      const until = async (want: boolean) => {
        for (let i = 0; i < 100 && (await hasTaint("node-c-1")) !== want; i++)
          await new Promise((r) => setTimeout(r, 50));
        return hasTaint("node-c-1");
      };
      expect(await until(true)).toBe(true);
      await setPredictedFailure(deps, prediction(), false);
      expect(await until(false)).toBe(false);
      expect(enforcer.lastError).toBeUndefined();
    } finally {
      enforcer.stop();
    }
  });

  it("stands back while the upstream controller runs", async () => {
    const apply = `apiVersion: v1
kind: Namespace
metadata: { name: nrr-system }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: nrr-controller-manager, namespace: nrr-system }
spec:
  replicas: 1
  selector: { matchLabels: { app: nrr } }
  template:
    metadata: { labels: { app: nrr } }
    spec:
      containers: [{ name: manager, image: "ghcr.io/acme/api:2.4.0" }]
`;
    cluster.apply(parseAllDocuments(apply).map((d) => d.toJSON()));
    cluster.step(60_000);
    const enforcer = new NodeReadinessEnforcer({ kc, clock: cluster.clock });
    expect(await enforcer.upstreamInstalled()).toBe(true);
    expect(await enforcer.reconcile()).toEqual({
      skipped: "the upstream node-readiness-controller is running",
      rules: [],
    });
  });
});
