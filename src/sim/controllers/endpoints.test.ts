import { describe, expect, it } from "vitest";
import { SimCluster } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";
import {
  advance,
  deployment,
  FAST_READINESS,
  livePods,
  node,
  setBehaviour,
} from "./test-support.ts";

function service(
  name: string,
  selector: Record<string, string>,
  targetPort: number | string = "http",
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default" },
    spec: { selector, ports: [{ name: "web", port: 80, targetPort }] },
  };
}

describe("endpoints controllers", () => {
  it("allocates a ClusterIP and lists ready pods with the named targetPort resolved", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), deployment("web", 2), service("web", { app: "web" })]);
    advance(c, 3);
    const svc = c.store.mustGet("services", "default", "web");
    expect(svc.spec.type).toBe("ClusterIP");
    expect(svc.spec.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    const ep = c.store.mustGet("endpoints", "default", "web");
    const subsets = ep.subsets as Array<{
      addresses: Array<{ ip: string; targetRef: { kind: string } }>;
      ports: unknown[];
    }>;
    expect(subsets).toHaveLength(1);
    expect(subsets[0]?.addresses).toHaveLength(2);
    expect(subsets[0]?.addresses[0]?.targetRef.kind).toBe("Pod");
    expect(subsets[0]?.ports).toEqual([{ name: "web", port: 8080, protocol: "TCP" }]);
    const [slice] = c.store.list("endpointslices.discovery.k8s.io", {
      labelSelector: "kubernetes.io/service-name=web",
    });
    expect(slice?.endpoints).toHaveLength(2);
    expect(slice?.ports).toEqual([{ name: "web", port: 8080, protocol: "TCP" }]);
  });

  it("moves a pod that stops being ready to notReadyAddresses", () => {
    const c = new SimCluster();
    const web = deployment("web", 2);
    web.spec.template.spec.containers[0].readinessProbe = FAST_READINESS;
    c.apply([node("node-1"), web, service("web", { app: "web" }, 8080)]);
    advance(c, 10);
    const pod = livePods(c)[0] as KubeObject;
    setBehaviour(c, pod, { probesFailAfterSeconds: 0 });
    advance(c, 5);
    const [subset] = c.store.mustGet("endpoints", "default", "web").subsets as Array<
      Record<string, Array<{ ip: string }>>
    >;
    expect(subset?.addresses).toHaveLength(1);
    expect(subset?.notReadyAddresses?.map((a) => a.ip)).toEqual([
      c.store.mustGet("pods", "default", pod.metadata.name as string).status.podIP,
    ]);
    const [slice] = c.store.list("endpointslices.discovery.k8s.io") as KubeObject[];
    const ready = ((slice as KubeObject).endpoints as Array<{ conditions: { ready: boolean } }>)
      .map((e) => e.conditions.ready)
      .sort();
    expect(ready).toEqual([false, true]);
  });

  it("gives empty endpoints when the selector matches no pod, and removes them with the service", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), deployment("web", 1), service("typo", { app: "wbe" })]);
    advance(c, 3);
    expect(c.store.mustGet("endpoints", "default", "typo").subsets).toEqual([]);
    c.store.delete("services", "default", "typo");
    c.step(1000);
    expect(c.store.get("endpoints", "default", "typo")).toBeUndefined();
  });

  it("allocates node ports for NodePort services and keeps them on update", () => {
    const c = new SimCluster();
    const svc = service("edge", { app: "web" }, 8080);
    svc.spec.type = "NodePort";
    c.apply([svc]);
    const port = c.store.mustGet("services", "default", "edge").spec.ports[0].nodePort;
    expect(port).toBeGreaterThanOrEqual(30000);
    c.apply([svc]);
    expect(c.store.mustGet("services", "default", "edge").spec.ports[0].nodePort).toBe(port);
  });

  it("drops a terminating pod from Endpoints but keeps it in the slice as terminating", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), deployment("web", 2), service("web", { app: "web" })]);
    advance(c, 10);
    const victim = livePods(c)[0] as KubeObject;
    c.store.delete("pods", "default", victim.metadata.name as string);
    c.step(1000);
    const [subset] = c.store.mustGet("endpoints", "default", "web").subsets as Array<
      Record<string, Array<{ ip: string }>>
    >;
    expect(subset?.addresses?.map((a) => a.ip)).not.toContain(victim.status.podIP);
    const [slice] = c.store.list("endpointslices.discovery.k8s.io") as KubeObject[];
    const endpoints = (slice as KubeObject).endpoints as Array<{
      addresses: string[];
      conditions: unknown;
    }>;
    const gone = endpoints.find((e) => e.addresses[0] === victim.status.podIP);
    expect(gone?.conditions).toEqual({ ready: false, serving: true, terminating: true });
  });
});
