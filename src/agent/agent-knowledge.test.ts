import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditLog } from "../act/audit.ts";
import { kubeClusterActions } from "../act/cluster-actions.ts";
import { Executor } from "../act/executor.ts";
import { DEFAULT_POLICY } from "../act/guardrails/policy.ts";
import { parseRunbook } from "../act/runbook.ts";
import { IncidentManager } from "../incidents/incidents.ts";
import type { IncidentRecord } from "../incidents/record.ts";
import { SimCluster } from "../sim/cluster.ts";
import { installScenario, loadScenario, scenarioClusterOptions } from "../sim/scenarios/index.ts";
import { KubeSource, loadKubeConfig } from "../sources/kubernetes/kube-source.ts";
import { openDb } from "../store/sqlite.ts";
import { Agent } from "./agent.ts";

const notifyRunbook = (name: string) =>
  parseRunbook(
    `name: ${name}
description: tell ${name}
trigger: { reasons: [CreateContainerConfigError] }
steps:
  - action: notify
    target: subject
    params: { message: "${name}" }
`,
    `${name}.yaml`,
  );

let cluster: SimCluster;
let source: KubeSource;
let kubeconfig: string;

beforeAll(async () => {
  const scenario = loadScenario("demo");
  cluster = new SimCluster({ ...scenarioClusterOptions(scenario), speed: 20 });
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  kubeconfig = join(mkdtempSync(join(tmpdir(), "agent-kb-")), "kubeconfig");
  cluster.writeKubeconfig(kubeconfig);
  installScenario(cluster, scenario);
  cluster.step(60_000);
  source = new KubeSource(loadKubeConfig(kubeconfig));
  await source.start();
});

afterAll(async () => {
  await source.stop();
  await cluster.close();
});

describe("agent and past incidents", () => {
  it("tries first the runbook that auto-resolved a similar past incident, not the first listed", async () => {
    const db = openDb();
    const audit = new AuditLog(db, cluster.clock);
    const incidents = new IncidentManager(db);
    const now = cluster.clock.now();
    const subject = { kind: "Deployment", namespace: "shop", name: "api" };
    const past: IncidentRecord = {
      id: "past-1",
      key: "Deployment/shop/api/CreateContainerConfigError",
      title: "CreateContainerConfigError in deployment shop/api",
      status: "resolved",
      severity: "critical",
      subject,
      rootCause: 'ConfigMap "api-config" does not exist',
      findings: [],
      actions: [
        {
          runId: "run-1",
          runbook: "page-config-owners",
          action: "notify",
          target: subject,
          verdict: "allowed",
          reasons: [],
          result: "applied",
          auditId: "a-1",
          time: now - 86_400_000,
        },
      ],
      openedAt: now - 86_500_000,
      resolvedAt: now - 86_000_000,
      updatedAt: now - 86_000_000,
      signals: [],
    };
    incidents.knowledge.record(past);
    const executor = new Executor({
      cluster: kubeClusterActions(loadKubeConfig(kubeconfig)),
      policy: DEFAULT_POLICY,
      audit,
      clock: cluster.clock,
      pollMs: 50,
    });
    const agent = new Agent({
      source,
      incidents,
      executor,
      audit,
      // Listed second: only the knowledge base can put it first.
      runbooks: [notifyRunbook("page-platform-team"), notifyRunbook("page-config-owners")],
      clock: cluster.clock,
    });
    await agent.tick();
    await agent.stop();
    const api = incidents.list().find((i) => i.subject.name === "api");
    expect(api?.actions.map((a) => a.runbook)).toEqual(["page-config-owners"]);
  });
});
