/**
 * The agent as a real process for the SIGKILL test: informers, diagnose, incidents, the
 * executor on a SQLite file. On start it recovers interrupted runs, then ticks once with a
 * DiskPressurePredicted finding (the node-drain runbook's) for the node given, and exits when
 * its remediations are done.
 * Usage: node agent-child.ts KUBECONFIG DB NODE
 */

import { Agent } from "../../agent/agent.ts";
import { systemClock } from "../../core/clock.ts";
import type { Finding } from "../../core/types.ts";
import { IncidentManager } from "../../incidents/incidents.ts";
import { KubeSource, loadKubeConfig } from "../../sources/kubernetes/kube-source.ts";
import { openDb } from "../../store/sqlite.ts";
import { AuditLog } from "../audit.ts";
import { kubeClusterActions } from "../cluster-actions.ts";
import { Executor } from "../executor.ts";
import { DEFAULT_POLICY, parsePolicy } from "../guardrails/policy.ts";
import { loadRunbooks } from "../runbook.ts";

const [kubeconfig, dbPath, node] = process.argv.slice(2) as [string, string, string];
const kc = loadKubeConfig(kubeconfig);
const db = openDb(dbPath);
const clock = systemClock;
const audit = new AuditLog(db, clock);
// The test stands in for the approver: drains run without the approval rule here.
const policy = parsePolicy({
  ...DEFAULT_POLICY,
  rules: DEFAULT_POLICY.rules.filter((r) => r.effect !== "requireApproval"),
});
const drainFast = loadRunbooks().map((r) =>
  r.name === "node-drain"
    ? {
        ...r,
        steps: r.steps.map((s) => ({ ...s, params: { timeoutSeconds: 120, retrySeconds: 0.2 } })),
      }
    : r,
);
const executor = new Executor({
  cluster: kubeClusterActions(kc),
  policy,
  audit,
  clock,
  db,
  pollMs: 200,
  verifyTimeoutMs: 60_000,
});
const finding: Finding = {
  id: `hw-${node}`,
  kind: "prediction",
  severity: "warning",
  subject: { kind: "Node", name: node },
  affected: [],
  rootCause: `filesystem / on node ${node} fills: the kubelet starts evicting pods in 20 min`,
  reason: "DiskPressurePredicted",
  evidence: [],
  confidence: 0.9,
  source: "detect/trend-to-limit",
  time: clock.now(),
};
const source = new KubeSource(kc);
await source.start();
const agent = new Agent({
  source,
  incidents: new IncidentManager(db),
  executor,
  audit,
  runbooks: drainFast,
  clock,
  extraFindings: () => [finding],
});
agent.on("error", (e) => console.log(JSON.stringify({ error: String(e) })));
agent.on("action", (_i, a) => console.log(JSON.stringify({ action: a.action, result: a.result })));
const recovered = await agent.recover();
console.log(JSON.stringify({ recovered: recovered.map((a) => `${a.action}:${a.result}`) }));
await agent.tick();
await agent.stop();
await source.stop();
db.close();
console.log(JSON.stringify({ done: true }));
