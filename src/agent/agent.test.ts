import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditLog } from "../act/audit.ts";
import { kubeClusterActions } from "../act/cluster-actions.ts";
import { Executor } from "../act/executor.ts";
import { DEFAULT_POLICY } from "../act/guardrails/policy.ts";
import { loadRunbooks } from "../act/runbook.ts";
import { IncidentManager } from "../incidents/incidents.ts";
import { SimCluster } from "../sim/cluster.ts";
import { installScenario, loadScenario, scenarioClusterOptions } from "../sim/scenarios/index.ts";
import { KubeSource, loadKubeConfig } from "../sources/kubernetes/kube-source.ts";
import type { Sample } from "../sources/prometheus/scrape.ts";
import { openDb } from "../store/sqlite.ts";
import { Agent } from "./agent.ts";

const MiB = 2 ** 20;
let cluster: SimCluster;
let source: KubeSource;
let agent: Agent;
let audit: AuditLog;
let incidents: IncidentManager;

beforeAll(async () => {
  const scenario = loadScenario("demo");
  cluster = new SimCluster({ ...scenarioClusterOptions(scenario), speed: 20 });
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), "agent-")), "kubeconfig");
  cluster.writeKubeconfig(kubeconfig);
  installScenario(cluster, scenario);
  cluster.step(60_000);
  const kc = loadKubeConfig(kubeconfig);
  source = new KubeSource(kc);
  await source.start();
  const db = openDb();
  audit = new AuditLog(db, cluster.clock);
  incidents = new IncidentManager(db);
  const executor = new Executor({
    cluster: kubeClusterActions(kc),
    policy: DEFAULT_POLICY,
    audit,
    clock: cluster.clock,
    pollMs: 50,
    verifyTimeoutMs: 15_000,
  });
  agent = new Agent({
    source,
    incidents,
    executor,
    audit,
    runbooks: loadRunbooks(),
    clock: cluster.clock,
  });
});

afterAll(async () => {
  await agent.stop();
  await source.stop();
  await cluster.close();
});

/** Memory samples as cAdvisor and kube-state-metrics label them, growing 20 MiB per minute. */
function leakSamples(minute: number): Sample[] {
  const out: Sample[] = [];
  for (const pod of source.snapshot().pods) {
    const name = pod.metadata?.name ?? "";
    const ns = pod.metadata?.namespace ?? "";
    const app = name.split("-")[0] ?? "";
    if (app !== "worker" && app !== "ledger") continue;
    const container = app;
    const t = cluster.clock.now() + minute * 60_000;
    const limit = app === "worker" ? 512 * MiB : 256 * MiB;
    out.push({
      name: "kube_pod_container_resource_limits",
      labels: { namespace: ns, pod: name, container, resource: "memory", unit: "byte" },
      t,
      v: limit,
    });
    out.push({
      name: "container_memory_working_set_bytes",
      labels: { namespace: ns, pod: name, container },
      t,
      v: 100 * MiB + minute * 20 * MiB,
    });
  }
  return out;
}

describe("agent loop against the simulated cluster", () => {
  it("opens a diagnosed incident for the api's missing ConfigMap", async () => {
    const events = await agent.tick();
    const opened = events.find((e) => e.incident.subject.name === "api");
    expect(opened?.type).toBe("opened");
    expect(opened?.incident.status).toBe("diagnosed");
    expect(opened?.incident.rootCause).toContain('ConfigMap "api-config" does not exist');
    expect(await agent.tick()).toEqual([]);
  });

  it("predicts the OOMs and runs the restart runbook: applied for worker, denied in the protected namespace", async () => {
    for (let m = 0; m < 12; m++) agent.observeSamples(leakSamples(m * 0.5));
    const predictions = agent.predictionsNow();
    expect(predictions.map((p) => p.subject.name).sort()).toEqual(["ledger", "worker"]);
    const ledgerBefore = cluster.store.mustGet("deployments.apps", "payments", "ledger");
    cluster.start();
    await agent.tick();
    await agent.stop();
    const byName = new Map(incidents.list().map((i) => [i.subject.name, i]));
    const worker = byName.get("worker");
    const ledger = byName.get("ledger");
    expect(worker?.actions[0]).toMatchObject({
      runbook: "oom-predicted-restart",
      verdict: "allowed",
      result: "applied",
    });
    expect(worker?.status).toBe("remediating");
    expect(ledger?.actions[0]).toMatchObject({ verdict: "denied", result: "skipped" });
    expect(ledger?.status).toBe("escalated");
    expect(ledger?.actions[0]?.reasons.join()).toContain("opsloop.dev/protected=true");
    const restarted = cluster.store.mustGet("deployments.apps", "shop", "worker");
    expect(
      restarted.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"],
    ).toMatch(/^2026-01-05T/);
    const ledgerAfter = cluster.store.mustGet("deployments.apps", "payments", "ledger");
    expect(ledgerAfter.spec).toEqual(ledgerBefore.spec);
    expect(ledgerAfter.metadata.generation).toBe(ledgerBefore.metadata.generation);
    expect(
      audit
        .list()
        .map((r) => r.id)
        .sort(),
    ).toEqual([worker?.actions[0]?.auditId, ledger?.actions[0]?.auditId].sort());
    expect(audit.verify()).toEqual({ ok: true, count: 2 });
  }, 30_000);
});
