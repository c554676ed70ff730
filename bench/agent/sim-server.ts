/**
 * The bench's cluster, served from its own process so the agent's event loop measures the agent
 * alone: bench/diagnose's big cluster (one Deployment in ten faulty) sized to `--pods`, stepped
 * three simulated minutes, then running in real time (so the informers see changes every tick).
 * Prints one JSON line `{ "kubeconfig": ... }` once it listens; ends on SIGTERM.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimCluster } from "../../src/sim/cluster.ts";
import { bigCluster } from "../diagnose/big-cluster.ts";

const pods = Number(process.argv.find((a) => a.startsWith("--pods="))?.slice(7) ?? 1000);
const perNamespace = 10;
const replicas = 10;
const namespaces = Math.max(1, Math.round(pods / (perNamespace * replicas)));
const { objects } = bigCluster({ namespaces, perNamespace, replicas });
const cluster = new SimCluster({ tickMs: 5_000 });
cluster.apply(objects);
cluster.step(3 * 60_000);
await cluster.listen({ port: 0, host: "127.0.0.1" });
const kubeconfig = join(mkdtempSync(join(tmpdir(), "opsloop-bench-agent-")), "kubeconfig");
cluster.writeKubeconfig(kubeconfig);
cluster.start();
process.stdout.write(`${JSON.stringify({ kubeconfig, url: cluster.url })}\n`);
process.once("SIGTERM", () => {
  void cluster.close().then(() => process.exit(0));
});
