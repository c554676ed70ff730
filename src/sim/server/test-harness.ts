/** Test support: a listening SimCluster plus a kubectl runner with its own kubeconfig and cache. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimCluster, type SimClusterOptions } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Harness {
  cluster: SimCluster;
  kubeconfig: string;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  close(): Promise<void>;
}

export async function startHarness(options: SimClusterOptions = {}): Promise<Harness> {
  const cluster = new SimCluster(options);
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  const dir = mkdtempSync(join(tmpdir(), "opsloop-api-"));
  const kubeconfig = join(dir, "kubeconfig");
  cluster.writeKubeconfig(kubeconfig);
  const cache = join(dir, "cache");
  return {
    cluster,
    kubeconfig,
    kubectl: (args, opts = {}) =>
      new Promise((resolve) => {
        const child = execFile(
          "/usr/bin/kubectl",
          ["--kubeconfig", kubeconfig, "--cache-dir", cache, ...args],
          { timeout: opts.timeoutMs ?? 20_000, killSignal: "SIGINT" },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
        if (opts.input !== undefined) child.stdin?.end(opts.input);
      }),
    close: async () => {
      await cluster.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A pod on node n1 in CrashLoopBackOff after three restarts, the last one two minutes ago. */
export function crashingPod(cluster: SimCluster, name: string, ns = "default"): KubeObject {
  const now = cluster.clock.now();
  return cluster.store.create("pods", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: { nodeName: "n1", containers: [{ name: "app", image: `${name}:v1` }] },
    status: {
      phase: "Running",
      podIP: "10.0.0.7",
      containerStatuses: [
        {
          name: "app",
          ready: false,
          restartCount: 3,
          image: `${name}:v1`,
          state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s" } },
          lastState: {
            terminated: {
              exitCode: 1,
              reason: "Error",
              containerID: "containerd://abc",
              startedAt: new Date(now - 130_000).toISOString(),
              finishedAt: new Date(now - 120_000).toISOString(),
            },
          },
        },
      ],
    },
  });
}

export function runningPod(cluster: SimCluster, name: string, containers = ["app"]): KubeObject {
  return cluster.store.create("pods", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: name } },
    spec: { nodeName: "n1", containers: containers.map((c) => ({ name: c, image: `${c}:v1` })) },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: containers.map((c) => ({
        name: c,
        ready: true,
        restartCount: 0,
        state: { running: { startedAt: new Date(cluster.clock.now()).toISOString() } },
      })),
    },
  });
}
