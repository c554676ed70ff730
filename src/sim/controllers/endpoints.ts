/**
 * Endpoints and EndpointSlice controllers (pkg/controller/endpoint, endpointslice) for Services
 * with a selector: ready pods go to `addresses`, the rest to `notReadyAddresses`; named
 * targetPorts resolve against each pod's container ports (a pod without that port is left out).
 */
import { isoTime } from "../../core/clock.ts";
import type { Controller, SimContext } from "../engine.ts";
import type { KubeObject } from "../store/types.ts";
import { ChangeGate, isPodReady, type Json, mapSelects, stableJson } from "./util.ts";

const TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time";
const SERVICE_NAME = "kubernetes.io/service-name";
const MANAGED_BY = "endpointslice.kubernetes.io/managed-by";

/** podutil.FindPort: a numeric targetPort is used as is, a name is looked up per pod. */
function resolvePort(
  pod: KubeObject,
  target: number | string | undefined,
  port: number,
): number | undefined {
  if (target === undefined) return port;
  if (typeof target === "number" || /^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target) return p.containerPort;
  }
  return undefined;
}

interface PodEndpoint {
  pod: KubeObject;
  ready: boolean;
  /** EndpointSlices keep terminating pods (ready false, serving as the probe says). */
  serving: boolean;
  terminating: boolean;
  ports: Array<{ name?: string; port: number; protocol: string }>;
}

function podEndpoints(svc: KubeObject, pods: KubeObject[]): PodEndpoint[] {
  const out: PodEndpoint[] = [];
  for (const pod of pods) {
    if (!pod.status?.podIP) continue;
    if (pod.status.phase === "Succeeded" || pod.status.phase === "Failed") continue;
    const ports = [];
    for (const sp of svc.spec.ports ?? []) {
      const port = resolvePort(pod, sp.targetPort, sp.port);
      if (port !== undefined)
        ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? "TCP" });
    }
    if ((svc.spec.ports ?? []).length && !ports.length) continue;
    const terminating = Boolean(pod.metadata.deletionTimestamp);
    const serving = isPodReady(pod) || svc.spec.publishNotReadyAddresses === true;
    out.push({ pod, ready: serving && !terminating, serving, terminating, ports });
  }
  return out.sort((a, b) => String(a.pod.status.podIP).localeCompare(String(b.pod.status.podIP)));
}

function address(pod: KubeObject) {
  return {
    ip: pod.status.podIP,
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: {
      kind: "Pod",
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      uid: pod.metadata.uid,
    },
  };
}

/** Pods with the same resolved port set share a subset (endpoints.RepackSubsets). */
function subsetsOf(eps: PodEndpoint[]): Json[] {
  const groups = new Map<string, Json>();
  // Endpoints (unlike slices) drop terminating pods altogether.
  for (const ep of eps.filter((e) => !e.terminating)) {
    const key = stableJson(ep.ports);
    const g = groups.get(key) ?? { addresses: [], notReadyAddresses: [], ports: ep.ports };
    (ep.ready ? g.addresses : g.notReadyAddresses).push(address(ep.pod));
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({
    ...(g.addresses.length ? { addresses: g.addresses } : {}),
    ...(g.notReadyAddresses.length ? { notReadyAddresses: g.notReadyAddresses } : {}),
    ...(g.ports.length ? { ports: g.ports } : {}),
  }));
}

export class EndpointsController implements Controller {
  readonly name = "endpoint-controller";
  private readonly gate = new ChangeGate();
  private readonly ctx: SimContext;
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  tick(now: number): void {
    const { store } = this.ctx;
    for (const svc of store.list("services")) {
      if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) continue;
      const pods = store
        .list("pods", { namespace: svc.metadata.namespace })
        .filter((p) => mapSelects(svc.spec.selector, p.metadata.labels));
      const current = store.get("endpoints", svc.metadata.namespace, svc.metadata.name as string);
      if (!this.gate.changed(svc.metadata.uid as string, [svc, current, ...pods])) continue;
      const eps = podEndpoints(svc, pods);
      this.syncEndpoints(svc, subsetsOf(eps), now);
      this.syncSlice(svc, eps);
    }
    for (const ep of store.list("endpoints")) {
      if (!ep.metadata.annotations?.[TRIGGER]) continue;
      if (!store.get("services", ep.metadata.namespace, ep.metadata.name as string))
        store.delete("endpoints", ep.metadata.namespace, ep.metadata.name as string);
    }
  }

  private syncEndpoints(svc: KubeObject, subsets: Json[], now: number): void {
    const { store } = this.ctx;
    const ns = svc.metadata.namespace as string;
    const name = svc.metadata.name as string;
    const existing = store.get("endpoints", ns, name);
    if (existing && stableJson(existing.subsets ?? []) === stableJson(subsets)) return;
    const metadata = {
      name,
      namespace: ns,
      labels: { ...svc.metadata.labels },
      annotations: { [TRIGGER]: isoTime(now) },
    };
    if (!existing)
      store.create(
        "endpoints",
        { apiVersion: "v1", kind: "Endpoints", metadata, subsets },
        { internal: true },
      );
    else
      store.mutate("endpoints", ns, name, (e) => {
        e.subsets = subsets;
        e.metadata.annotations = { ...e.metadata.annotations, ...metadata.annotations };
      });
  }

  private syncSlice(svc: KubeObject, eps: PodEndpoint[]): void {
    const { store } = this.ctx;
    const ns = svc.metadata.namespace as string;
    const existing = store
      .list("endpointslices.discovery.k8s.io", {
        namespace: ns,
        labelSelector: `${SERVICE_NAME}=${svc.metadata.name}`,
      })
      .find((s) => s.metadata.labels?.[MANAGED_BY] === "endpointslice-controller.k8s.io");
    const body = {
      addressType: "IPv4",
      endpoints: eps.map((ep) => ({
        addresses: [ep.pod.status.podIP],
        conditions: { ready: ep.ready, serving: ep.serving, terminating: ep.terminating },
        ...(ep.pod.spec?.nodeName ? { nodeName: ep.pod.spec.nodeName } : {}),
        targetRef: address(ep.pod).targetRef,
      })),
      ports: eps[0]?.ports ?? [],
    };
    if (
      existing &&
      stableJson({ a: existing.addressType, e: existing.endpoints, p: existing.ports }) ===
        stableJson({ a: body.addressType, e: body.endpoints, p: body.ports })
    )
      return;
    if (existing) {
      store.mutate("endpointslices.discovery.k8s.io", ns, existing.metadata.name as string, (s) =>
        Object.assign(s, body),
      );
      return;
    }
    store.create(
      "endpointslices.discovery.k8s.io",
      {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          generateName: `${svc.metadata.name}-`,
          namespace: ns,
          labels: {
            ...svc.metadata.labels,
            [SERVICE_NAME]: svc.metadata.name as string,
            [MANAGED_BY]: "endpointslice-controller.k8s.io",
          },
          ownerReferences: [
            {
              apiVersion: "v1",
              kind: "Service",
              name: svc.metadata.name as string,
              uid: svc.metadata.uid as string,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        ...body,
      },
      { internal: true },
    );
  }
}
