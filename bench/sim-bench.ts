/**
 * bench:sim — the simulator's API latency (list, get, watch fan-out) over real HTTP, and how
 * much cluster it sustains on one core (the cost of one simulated second of physics).
 * Prints a table and writes bench/results/sim.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { SimCluster } from "../src/sim/cluster.ts";
import type { KubeObject } from "../src/sim/store/types.ts";

const args = new Map(
  process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=") as [string, string]),
);
const PODS = Number(args.get("pods") ?? 1000);
const NODES = Number(args.get("nodes") ?? 50);
const SAMPLES = Number(args.get("samples") ?? 200);
const WATCHERS = Number(args.get("watchers") ?? 50);

function node(i: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: `node-${i}`, labels: { "topology.kubernetes.io/zone": `zone-${i % 3}` } },
    status: { capacity: { cpu: "64", memory: "256Gi", pods: "250" } },
  };
}

function deployment(i: number, replicas: number): KubeObject {
  const labels = { app: `app-${i}` };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `app-${i}`, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: "app",
              image: "nginx:1.27",
              resources: { requests: { cpu: "10m", memory: "16Mi" } },
            },
          ],
        },
      },
    },
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

async function timeRequests(url: string, accept: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { accept } });
    await res.arrayBuffer();
    out.push(performance.now() - t0);
  }
  return out;
}

async function watchFanOut(
  base: string,
  store: SimCluster["store"],
  watchers: number,
  rounds: number,
): Promise<number[]> {
  const controllers: AbortController[] = [];
  const pending = new Map<string, { start: number; remaining: number; done: () => void }>();
  const latencies: number[] = [];
  const rv = store.resourceVersion;
  for (let w = 0; w < watchers; w++) {
    const ac = new AbortController();
    controllers.push(ac);
    const res = await fetch(
      `${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`,
      { signal: ac.signal },
    );
    (async () => {
      let buf = "";
      const dec = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += dec.decode(chunk, { stream: true });
          for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
            const ev = JSON.parse(buf.slice(0, nl)) as { object: KubeObject };
            buf = buf.slice(nl + 1);
            const p = pending.get(ev.object.metadata.name as string);
            if (p && --p.remaining === 0) {
              latencies.push(performance.now() - p.start);
              p.done();
            }
          }
        }
      } catch {
        // aborted at the end of the bench
      }
    })();
  }
  for (let r = 0; r < rounds; r++) {
    const name = `bench-${r}`;
    await new Promise<void>((resolve) => {
      pending.set(name, { start: performance.now(), remaining: watchers, done: resolve });
      store.create("configmaps", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace: "default" },
        data: { r: String(r) },
      });
    });
  }
  for (const c of controllers) c.abort();
  return latencies;
}

async function main(): Promise<void> {
  const cluster = new SimCluster();
  const base = await cluster.listen();
  process.stderr.write(`simulating ${NODES} nodes and ${PODS} pods...\n`);
  cluster.apply(Array.from({ length: NODES }, (_, i) => node(i)));
  const perDeploy = 10;
  cluster.apply(
    Array.from({ length: Math.ceil(PODS / perDeploy) }, (_, i) => deployment(i, perDeploy)),
  );
  cluster.step(30_000);
  const pods = cluster.store.list("pods");
  const running = pods.filter((p) => p.status?.phase === "Running").length;
  const samplePod = pods[0]?.metadata.name ?? "none";

  const table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
  const results: Array<{ op: string; p50: number; p99: number; n: number }> = [];
  const record = (op: string, xs: number[]) =>
    results.push({ op, p50: percentile(xs, 50), p99: percentile(xs, 99), n: xs.length });
  process.stderr.write("timing list, get and watch...\n");
  record(
    `list ${pods.length} pods (json)`,
    await timeRequests(`${base}/api/v1/pods`, "application/json", Math.max(10, SAMPLES / 10)),
  );
  record(
    `list ${pods.length} pods (Table, kubectl)`,
    await timeRequests(`${base}/api/v1/pods?limit=500`, table, Math.max(10, SAMPLES / 10)),
  );
  record(
    "get one pod",
    await timeRequests(
      `${base}/api/v1/namespaces/default/pods/${samplePod}`,
      "application/json",
      SAMPLES,
    ),
  );
  record(
    `watch fan-out to ${WATCHERS} watchers`,
    await watchFanOut(base, cluster.store, WATCHERS, Math.max(20, SAMPLES / 5)),
  );

  // Physics cost: wall time per simulated second at this size. One core sustains real time
  // while this stays under 1000 ms.
  const ticks = 20;
  const t0 = performance.now();
  cluster.step(ticks * 1000);
  const tickMs = (performance.now() - t0) / ticks;

  await cluster.close();
  const rows = results.map(
    (r) =>
      `| ${r.op.padEnd(38)} | ${r.p50.toFixed(2).padStart(8)} | ${r.p99.toFixed(2).padStart(8)} | ${String(r.n).padStart(5)} |`,
  );
  const summary = {
    nodes: NODES,
    pods: pods.length,
    runningPods: running,
    latencyMs: results,
    physicsMsPerSimulatedSecond: tickMs,
    maxRealTimeSpeed: 1000 / tickMs,
  };
  console.log(
    `\nopsloop simulator — ${NODES} nodes, ${pods.length} pods (${running} running), Node ${process.version}\n`,
  );
  console.log("| operation                              | p50 (ms) | p99 (ms) |     n |");
  console.log("|----------------------------------------|----------|----------|-------|");
  for (const r of rows) console.log(r);
  console.log(
    `\nphysics: ${tickMs.toFixed(1)} ms of CPU per simulated second → real time sustained up to ${(1000 / tickMs).toFixed(1)}x speed at this size`,
  );
  console.log(
    "anchor: Kubernetes SIG Scalability API-call SLO: p99 <= 1 s for single-object calls, <= 30 s for cluster-wide lists",
  );
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/sim.json", JSON.stringify(summary, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
