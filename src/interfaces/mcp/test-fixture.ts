/**
 * Test support: a simulated cluster with planted secrets (a Secret, a key-like env var, AWS keys
 * and a bearer token in container logs), the opsloop runtime over it, a real Prometheus holding
 * two days of backfilled history (query_metrics, rightsize, plan_scaling), seeded incidents whose
 * evidence quotes a secret-bearing log line, held approvals, and the ToolContext the MCP server
 * runs against. Never used by production code.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { type Runtime, startRuntime } from "../../agent/runtime.ts";
import { POD_BEHAVIOUR_ANNOTATION } from "../../sim/behaviour.ts";
import type { SimCluster } from "../../sim/cluster.ts";
import { type Harness, startHarness } from "../../sim/server/test-harness.ts";
import type { KubeObject } from "../../sim/store/types.ts";
import { backfillOpenMetrics } from "../../sim/telemetry/backfill.ts";
import {
  type RunningPrometheus,
  startPrometheus,
} from "../../sources/prometheus/test-prometheus.ts";
import type { ToolContext } from "../../tools/context.ts";
import { BEARER_LINE, type Seeded, seedStore } from "./test-seed.ts";

export { type Seeded, seededDbFile } from "./test-seed.ts";

const SECRET_VALUE = "PLANTED-secret-value-1";

/** Strings that must never appear in any tool output. */
export const PLANTED = [
  SECRET_VALUE,
  Buffer.from(SECRET_VALUE).toString("base64"),
  "PLANTED-env-hunter2",
  "AKIAPLANTED0000KEY12",
  "Pl4ntedS3cretAccessKeyValue",
  "PLANTEDbearerTOKEN123",
  "PLANTED-configmap-pass",
];

function podWith(
  name: string,
  behaviour: unknown,
  env: { name: string; value: string }[] = [],
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      labels: { app: name },
      annotations: { [POD_BEHAVIOUR_ANNOTATION]: JSON.stringify(behaviour) },
    },
    spec: { containers: [{ name: "app", image: "nginx:1.27", env }] },
  };
}

/** A healthy two-replica Deployment serving daily-cycling traffic: what plan_scaling and rightsize read. */
function webDeployment(): KubeObject {
  const behaviour = {
    traffic: { rps: 40, dailyAmplitude: 0.5, peakHourUtc: 14 },
    latency: { p50Ms: 20, p99Ms: 80, capacityRps: 60 },
    memory: { baseMi: 180 },
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", labels: { app: "web" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: {
          labels: { app: "web" },
          annotations: { [POD_BEHAVIOUR_ANNOTATION]: JSON.stringify(behaviour) },
        },
        spec: {
          containers: [
            {
              name: "web",
              image: "nginx:1.27",
              resources: {
                requests: { cpu: "250m", memory: "256Mi" },
                limits: { memory: "512Mi" },
              },
            },
          ],
        },
      },
    },
  };
}

export function plantSecrets(cluster: SimCluster): void {
  cluster.apply([
    {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "node-1", labels: { "kubernetes.io/hostname": "node-1" } },
      spec: {},
      status: { capacity: { cpu: "8", memory: "16Gi", pods: "110" } },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db-creds", namespace: "default" },
      type: "Opaque",
      data: { password: Buffer.from(SECRET_VALUE).toString("base64") },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "app-config", namespace: "default" },
      data: { DB_HOST: "db.default.svc", DB_PASSWORD: "PLANTED-configmap-pass" },
    },
    podWith(
      "api",
      {
        logs: {
          start: [
            "starting api with key AKIAPLANTED0000KEY12",
            "AWS_SECRET_ACCESS_KEY=Pl4ntedS3cretAccessKeyValue loaded",
            "listening on :8080",
          ],
          every: ["GET /healthz 200"],
          everySeconds: 5,
        },
      },
      [
        { name: "DB_PASSWORD", value: "PLANTED-env-hunter2" },
        { name: "LOG_LEVEL", value: "info" },
      ],
    ),
    podWith("worker", {
      crash: { afterSeconds: 3, exitCode: 2, log: [BEARER_LINE, "panic: upstream refused"] },
    }),
    webDeployment(),
  ]);
  cluster.step(30_000);
}

/** Prometheus with two days of the cluster's history ending now (wall time, as Prometheus stamps it). */
async function prometheusWithHistory(cluster: SimCluster): Promise<RunningPrometheus> {
  const history = backfillOpenMetrics(cluster, { days: 2, stepSeconds: 300, end: Date.now() });
  return startPrometheus({
    prepareData: (dataDir) => {
      const file = `${dataDir}.om`;
      writeFileSync(file, history);
      execFileSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", file, dataDir], {
        stdio: "pipe",
      });
    },
  });
}

export interface McpFixture {
  harness: Harness;
  runtime: Runtime;
  prometheus: RunningPrometheus;
  ctx: ToolContext;
  seeded: Seeded;
  /** Scratch directory removed on close (seeded database copies for child processes). */
  dir: string;
  close(): Promise<void>;
}

export async function startMcpFixture(): Promise<McpFixture> {
  const harness = await startHarness();
  plantSecrets(harness.cluster);
  const prometheus = await prometheusWithHistory(harness.cluster);
  const runtime = await startRuntime({
    kubeconfig: harness.kubeconfig,
    clock: harness.cluster.clock,
    metricsUrl: false,
    prometheusUrl: prometheus.url,
    autoStart: false,
  });
  const seeded = seedStore(runtime.incidents, runtime.approvals, runtime.clock.now());
  const ctx: ToolContext = { ...runtime.ctx, kube: runtime.source.kc };
  const dir = mkdtempSync(join(tmpdir(), "opsloop-mcp-fixture-"));
  return {
    harness,
    runtime,
    prometheus,
    ctx,
    seeded,
    dir,
    close: async () => {
      await runtime.close();
      await prometheus.stop();
      await harness.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers:
        - name: shop
          image: shop:latest
`;

/** Arguments that make each read tool do real work against the fixture (others take `{}`). */
export function toolArgs(seeded: Seeded): Record<string, Record<string, unknown>> {
  return {
    list_resources: { kind: "pods" },
    get_resource: { kind: "pod", name: "api" },
    get_pod_logs: { pod: "api" },
    list_events: {},
    // Backfilled history: answers at once, without waiting for a scrape.
    query_metrics: { query: 'http_requests_total{namespace="default"}', range: "6h" },
    forecast: { values: [1, 2, 3, 4, 5, 6, 7, 8], horizon: 2 },
    diagnose_object: { kind: "Pod", namespace: "default", name: "worker" },
    search_incidents: { query: "web CrashLoopBackOff upstream refused" },
    get_incident: { id: seeded.open },
    scan_manifests: { manifests: MANIFEST },
    plan_scaling: { namespace: "default", name: "web", days: 2, horizonHours: 12 },
    rightsize: { days: 2 },
    propose_remediation: { incidentId: seeded.open },
  };
}

/**
 * Calls every listed tool with `toolArgs`; returns each raw result as JSON text. Every read tool
 * must answer without isError: each has the input and the source (cluster, Prometheus, store) it
 * needs. (Write tools are called by `callWriteTools`, with confirmation.)
 */
export async function callEveryTool(client: Client, seeded: Seeded): Promise<Map<string, string>> {
  const { tools } = await client.listTools();
  const args = toolArgs(seeded);
  const out = new Map<string, string>();
  for (const t of tools) {
    if (t.annotations?.readOnlyHint === false) continue;
    const r = await client.callTool({ name: t.name, arguments: args[t.name] ?? {} });
    if (r.isError) throw new Error(`${t.name} failed: ${JSON.stringify(r.content)}`);
    out.set(t.name, JSON.stringify(r));
  }
  return out;
}

async function confirmedCall(client: Client, name: string, args: Record<string, unknown>) {
  const first = await client.callTool({ name, arguments: args });
  const text = (first.content as { text?: string }[])[0]?.text ?? "";
  const token = /"confirmationToken": "([\w-]+)"/.exec(text)?.[1];
  // Clients without elicitation get a one-time token on the first call: the user's "yes".
  if (!first.isError || !token) return first;
  return client.callTool({ name, arguments: { ...args, confirmationToken: token } });
}

/**
 * Calls each write tool once (under --allow-write) on what seedStore wrote, confirming the way
 * the client can (elicitation is answered by the client's own handler). Returns results by name.
 */
export async function callWriteTools(
  client: Client,
  seeded: Seeded,
): Promise<Map<string, { isError?: boolean; structuredContent?: unknown; text: string }>> {
  const calls: [string, Record<string, unknown>][] = [
    ["acknowledge_incident", { id: seeded.open, by: "alice@test" }],
    [
      "approve_action",
      { id: seeded.toApprove.id, token: seeded.toApprove.token, actor: "alice@test" },
    ],
    ["reject_action", { id: seeded.toReject.id, reason: "not during the demo", actor: "bob@test" }],
    ["execute_remediation", { incidentId: seeded.guarded, confirm: true }],
  ];
  const out = new Map<string, { isError?: boolean; structuredContent?: unknown; text: string }>();
  for (const [name, args] of calls) {
    const r = await confirmedCall(client, name, args);
    out.set(name, {
      isError: r.isError === true,
      structuredContent: r.structuredContent,
      text: JSON.stringify(r),
    });
  }
  return out;
}
