/**
 * Test support: a simulated cluster with planted secrets (a Secret, a key-like env var, AWS keys
 * and a bearer token in container logs), the opsloop runtime over it, and the ToolContext the MCP
 * server runs against. Never used by production code.
 */

import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { type Runtime, startRuntime } from "../../agent/runtime.ts";
import { POD_BEHAVIOUR_ANNOTATION } from "../../sim/behaviour.ts";
import type { SimCluster } from "../../sim/cluster.ts";
import { type Harness, startHarness } from "../../sim/server/test-harness.ts";
import type { KubeObject } from "../../sim/store/types.ts";
import type { ToolContext } from "../../tools/context.ts";

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
      crash: {
        afterSeconds: 3,
        exitCode: 2,
        log: [
          "calling upstream with Authorization: Bearer PLANTEDbearerTOKEN123",
          "panic: upstream refused",
        ],
      },
    }),
  ]);
  cluster.step(30_000);
}

export interface McpFixture {
  harness: Harness;
  runtime: Runtime;
  ctx: ToolContext;
  close(): Promise<void>;
}

export async function startMcpFixture(): Promise<McpFixture> {
  const harness = await startHarness();
  plantSecrets(harness.cluster);
  const runtime = await startRuntime({
    kubeconfig: harness.kubeconfig,
    clock: harness.cluster.clock,
    metricsUrl: false,
    autoStart: false,
  });
  const ctx: ToolContext = { ...runtime.ctx, kube: runtime.source.kc };
  return {
    harness,
    runtime,
    ctx,
    close: async () => {
      await runtime.close();
      await harness.close();
    },
  };
}

/** Arguments that make each tool do real work against the fixture cluster (others take `{}`). */
export const TOOL_ARGS: Record<string, Record<string, unknown>> = {
  list_resources: { kind: "pods" },
  get_resource: { kind: "pod", name: "api" },
  get_pod_logs: { pod: "api" },
  list_events: {},
  query_metrics: { query: "up" },
  forecast: { values: [1, 2, 3, 4, 5, 6, 7, 8], horizon: 2 },
  propose_remediation: { incidentId: "none" },
};

/** Tools that need something the fixture does not have, and say so with isError. */
const NEEDS_MORE = new Set(["query_metrics", "propose_remediation"]);

/**
 * Calls every listed tool; returns each raw result as JSON text. Cluster tools must succeed;
 * any tool may report isError for missing inputs, but none may fail at the protocol level.
 */
export async function callEveryTool(client: Client): Promise<Map<string, string>> {
  const { tools } = await client.listTools();
  const out = new Map<string, string>();
  for (const t of tools) {
    const r = await client.callTool({ name: t.name, arguments: TOOL_ARGS[t.name] ?? {} });
    if (r.isError && t.annotations?.openWorldHint && !NEEDS_MORE.has(t.name))
      throw new Error(`${t.name} failed: ${JSON.stringify(r.content)}`);
    out.set(t.name, JSON.stringify(r));
  }
  return out;
}
