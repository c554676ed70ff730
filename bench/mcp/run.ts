/**
 * bench:mcp — tool-call latency (p50/p99), answer size and secret leaks of opsloop's MCP server
 * beside mcp-server-kubernetes (Flux159, TypeScript, shells out to kubectl) and
 * kubernetes-mcp-server (containers, Go, client-go), all over stdio as child processes against
 * the same simulated cluster and kubeconfig. Prints a table; writes bench/results/mcp.json.
 *
 *   npm run bench:mcp -- --pods=1000 --samples=30
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { benchCluster, PLANTED_KEY } from "./cluster.ts";

const args = new Map(
  process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=") as [string, string]),
);
const PODS = Number(args.get("pods") ?? 1000);
const SAMPLES = Number(args.get("samples") ?? 30);
const WARMUP = 2;

type Call = [tool: string, args: Record<string, unknown>] | { na: string };
type Op = "list pods (namespace)" | "list pods (all)" | "get logs" | "diagnose" | "events";

interface Peer {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  calls(ns: string, pod: string): Record<Op, Call>;
  /** What a reader of the table needs to know about a peer's answer to one operation. */
  notes?: Partial<Record<Op, string>>;
}

const NO_DIAGNOSIS = { na: "no diagnosis tool" };

function peers(kubeconfig: string): Peer[] {
  return [
    {
      name: "opsloop",
      command: "node_modules/.bin/node",
      args: ["bin/opsloop.js", "mcp", "--kubeconfig", kubeconfig],
      calls: (ns, pod) => ({
        "list pods (namespace)": [
          "list_resources",
          {
            kind: "pods",
            namespace: ns,
            limit: 100,
            fields: [
              "metadata.name",
              "status.phase",
              "spec.nodeName",
              "status.containerStatuses[*].restartCount",
            ],
          },
        ],
        "list pods (all)": ["list_resources", { kind: "pods" }],
        "get logs": ["get_pod_logs", { pod, namespace: ns }],
        diagnose: ["list_problems", {}],
        events: ["list_events", { namespace: ns }],
      }),
    },
    {
      name: "mcp-server-kubernetes",
      command: "node_modules/.bin/mcp-server-kubernetes",
      args: [],
      env: { KUBECONFIG: kubeconfig, ALLOW_ONLY_READONLY_TOOLS: "true" },
      calls: (ns, pod) => ({
        "list pods (namespace)": ["kubectl_get", { resourceType: "pods", namespace: ns }],
        "list pods (all)": ["kubectl_get", { resourceType: "pods", allNamespaces: true }],
        "get logs": ["kubectl_logs", { resourceType: "pod", name: pod, namespace: ns, tail: 100 }],
        diagnose: NO_DIAGNOSIS,
        events: ["kubectl_get", { resourceType: "events", namespace: ns }],
      }),
    },
    {
      name: "kubernetes-mcp-server",
      command: "node_modules/.bin/kubernetes-mcp-server",
      args: [
        "--kubeconfig",
        kubeconfig,
        "--read-only",
        "--disable-multi-cluster",
        "--log-file",
        "stderr",
      ],
      // client-go's default 5 QPS / burst 10 would throttle the bench, not measure the server.
      env: { KUBE_CLIENT_QPS: "1000", KUBE_CLIENT_BURST: "2000" },
      notes: {
        "list pods (all)":
          "pods_list GETs /api/v1/namespaces/default/pods (the default namespace only), empty here",
      },
      calls: (ns, pod) => ({
        "list pods (namespace)": ["pods_list_in_namespace", { namespace: ns }],
        "list pods (all)": ["pods_list", {}],
        "get logs": ["pods_log", { name: pod, namespace: ns, tail: 100 }],
        diagnose: NO_DIAGNOSIS,
        events: ["events_list", { namespace: ns }],
      }),
    },
  ];
}

interface Row {
  server: string;
  op: Op;
  tool?: string;
  p50?: number;
  p99?: number;
  n: number;
  bytes?: number;
  errors: number;
  attempts?: number;
  leaksSecret?: boolean;
  note?: string;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

async function measure(client: Client, server: string, op: Op, call: Call): Promise<Row> {
  if (!Array.isArray(call)) return { server, op, n: 0, errors: 0, note: call.na };
  const [tool, toolArgs] = call;
  const times: number[] = [];
  let errors = 0;
  let bytes = 0;
  let leaks = false;
  let note: string | undefined;
  let attempts = 0;
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    attempts++;
    const t0 = performance.now();
    let body: string;
    let failed = false;
    try {
      const r = await client.callTool({ name: tool, arguments: toolArgs }, undefined, {
        timeout: 120_000,
      });
      body = JSON.stringify(r.content);
      failed = r.isError === true;
    } catch (e) {
      // A protocol-level error (the peer threw instead of returning isError).
      body = (e as Error).message;
      failed = true;
    }
    const ms = performance.now() - t0;
    if (failed) {
      errors++;
      note ??= body.slice(0, 160);
      // A call that always fails (e.g. ENOBUFS) is not worth more samples.
      if (errors >= 3 && times.length === 0) break;
    }
    if (i < WARMUP) continue;
    times.push(ms);
    bytes = Buffer.byteLength(body);
    leaks ||= body.includes(PLANTED_KEY);
  }
  return {
    server,
    op,
    tool,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    n: times.length,
    bytes,
    errors,
    leaksSecret: leaks,
    attempts,
    ...(note ? { note } : {}),
  };
}

async function benchServer(
  peer: Peer,
  ns: string,
  pod: string,
): Promise<{ rows: Row[]; startMs?: number; failure?: string }> {
  const client = new Client({ name: "bench-mcp", version: "1" });
  const transport = new StdioClientTransport({
    command: peer.command,
    args: peer.args,
    env: { ...(process.env as Record<string, string>), ...(peer.env ?? {}) },
    stderr: "ignore",
  });
  const t0 = performance.now();
  try {
    await client.connect(transport);
    await client.listTools();
  } catch (e) {
    return { rows: [], failure: `could not start: ${(e as Error).message}` };
  }
  const startMs = performance.now() - t0;
  const rows: Row[] = [];
  try {
    for (const [op, call] of Object.entries(peer.calls(ns, pod)) as [Op, Call][]) {
      process.stderr.write(`  ${peer.name}: ${op}\n`);
      const row = await measure(client, peer.name, op, call);
      const note = peer.notes?.[op];
      rows.push(note ? { ...row, note } : row);
    }
  } finally {
    await client.close();
  }
  return { rows, startMs };
}

const fmt = (v: number | undefined, d = 1) =>
  v === undefined || Number.isNaN(v) ? "—" : v.toFixed(d);

function printTable(rows: Row[], starts: Record<string, number | string>): void {
  const header = [
    "server",
    "operation",
    "tool",
    "p50 ms",
    "p99 ms",
    "answer KiB",
    "errors",
    "leaks key",
  ];
  const lines = rows.map((r) => [
    r.server,
    r.op,
    r.tool ?? "—",
    fmt(r.p50),
    fmt(r.p99),
    r.bytes === undefined ? "—" : fmt(r.bytes / 1024),
    r.tool ? `${r.errors}/${r.attempts}` : "—",
    r.leaksSecret === undefined ? "—" : r.leaksSecret ? "YES" : "no",
    r.note ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  process.stdout.write(`${row(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
  for (const l of lines) process.stdout.write(`${row(l)}\n`);
  process.stdout.write("\nstart-up (spawn to first tools/list):\n");
  for (const [s, v] of Object.entries(starts))
    process.stdout.write(`  ${s}: ${typeof v === "number" ? `${v.toFixed(0)} ms` : v}\n`);
}

async function main(): Promise<void> {
  process.stderr.write(`simulating ${PODS} pods...\n`);
  const cluster = benchCluster(PODS);
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  const dir = mkdtempSync(join(tmpdir(), "opsloop-bench-mcp-"));
  const kubeconfig = join(dir, "kubeconfig");
  cluster.writeKubeconfig(kubeconfig);
  const pods = cluster.store.list("pods");
  const ns = "bench-5";
  const pod = pods.find((p) => p.metadata.namespace === ns)?.metadata.name ?? "none";
  process.stderr.write(`${pods.length} pods; sample namespace ${ns}, pod ${pod}\n`);
  const rows: Row[] = [];
  const starts: Record<string, number | string> = {};
  for (const peer of peers(kubeconfig)) {
    process.stderr.write(`benchmarking ${peer.name}...\n`);
    const r = await benchServer(peer, ns, pod);
    rows.push(...r.rows);
    starts[peer.name] = r.startMs ?? r.failure ?? "?";
  }
  printTable(rows, starts);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    "bench/results/mcp.json",
    `${JSON.stringify({ pods: pods.length, samples: SAMPLES, namespace: ns, pod, starts, rows }, null, 2)}\n`,
  );
  process.stderr.write("wrote bench/results/mcp.json\n");
  await cluster.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
