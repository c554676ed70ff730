/**
 * The bench cluster: N pods as deployments of 10 replicas over 10 namespaces and enough nodes,
 * every pod logging (one line in its start-up carries a planted AWS key, to see who leaks it),
 * and two deployments crash-looping so a diagnosis has something to find.
 */
import { POD_BEHAVIOUR_ANNOTATION } from "../../src/sim/behaviour.ts";
import { SimCluster } from "../../src/sim/cluster.ts";
import type { KubeObject } from "../../src/sim/store/types.ts";

export const PLANTED_KEY = "AKIABENCHPLANTED0001";
export const NAMESPACES = 10;
const PER_DEPLOY = 10;

function node(i: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: `node-${i}`, labels: { "kubernetes.io/hostname": `node-${i}` } },
    status: { capacity: { cpu: "64", memory: "256Gi", pods: "250" } },
  };
}

function deployment(i: number, crash: boolean): KubeObject {
  const labels = { app: `app-${i}` };
  const behaviour = {
    logs: {
      start: [`app-${i} starting`, `using credentials ${PLANTED_KEY}`, "listening on :8080"],
      every: ["GET /api/orders 200 12ms", "GET /healthz 200 1ms"],
      everySeconds: 5,
    },
    ...(crash
      ? { crash: { afterSeconds: 20, exitCode: 1, log: ["panic: db connection refused"] } }
      : {}),
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `app-${i}`, namespace: `bench-${i % NAMESPACES}` },
    spec: {
      replicas: PER_DEPLOY,
      selector: { matchLabels: labels },
      template: {
        metadata: {
          labels,
          annotations: { [POD_BEHAVIOUR_ANNOTATION]: JSON.stringify(behaviour) },
        },
        spec: {
          containers: [
            {
              name: "app",
              image: "nginx:1.27",
              resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "256Mi" } },
            },
          ],
        },
      },
    },
  };
}

export function benchCluster(pods: number): SimCluster {
  const cluster = new SimCluster();
  const nodes = Math.max(2, Math.ceil(pods / 100));
  cluster.apply(
    Array.from({ length: NAMESPACES }, (_, i) => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: `bench-${i}` },
    })),
  );
  cluster.apply(Array.from({ length: nodes }, (_, i) => node(i)));
  const deploys = Math.ceil(pods / PER_DEPLOY);
  cluster.apply(Array.from({ length: deploys }, (_, i) => deployment(i, i < 2)));
  cluster.step(120_000);
  return cluster;
}
