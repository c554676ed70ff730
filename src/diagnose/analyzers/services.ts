/**
 * Services without endpoints, followed to the reason: the selector matches no pod (and which
 * labels the nearest pods carry instead), the matching pods are not ready, or the targetPort names
 * a port no selected container declares (the endpoints controller then leaves every pod out,
 * podutil.FindPort). A numeric targetPort no container declares still gets endpoints, but traffic
 * lands on a closed port: reported as TargetPortMismatch.
 */
import type { V1Pod, V1Service, V1ServicePort } from "@kubernetes/client-node";
import type { Evidence, Finding } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { markPodsNotReadyOutage } from "../fold-outages.ts";
import { makeFinding, podRef, refOf, timeOf } from "./common.ts";
import { editDistance } from "./config-refs.ts";
import {
  formatMap,
  isLive,
  isReady,
  matchesMap,
  podsByNamespace,
  type TemplateOwner,
  templatesIn,
} from "./label-match.ts";

const SOURCE = "diagnose/service";
const WARM_UP_MS = 2 * 60_000;

export function analyzeServices(snap: ClusterSnapshot, now: number): Finding[] {
  const byNs = podsByNamespace(snap.pods.filter(isLive));
  const endpoints = new Map(
    snap.endpoints.map((e) => [`${e.metadata?.namespace}/${e.metadata?.name}`, e]),
  );
  const out: Finding[] = [];
  for (const svc of snap.services) {
    const sel = svc.spec?.selector;
    // No selector: endpoints are managed by hand (or by an operator); ExternalName has none.
    if (!sel || !Object.keys(sel).length || svc.spec?.type === "ExternalName") continue;
    const ns = svc.metadata?.namespace ?? "";
    const pods = (byNs.get(ns) ?? []).filter((p) => matchesMap(sel, p.metadata?.labels));
    const ep = endpoints.get(`${ns}/${svc.metadata?.name}`);
    const ready = (ep?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
    const f =
      ready > 0
        ? portMismatch(svc, pods, now)
        : noEndpoints(svc, pods, byNs.get(ns) ?? [], now, templatesIn(snap, ns));
    if (f) out.push(f);
  }
  return out;
}

function noEndpoints(
  svc: V1Service,
  pods: V1Pod[],
  nsPods: V1Pod[],
  now: number,
  templates: TemplateOwner[],
): Finding | null {
  const sel = svc.spec?.selector ?? {};
  const name = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
  const evidence: Evidence[] = [
    { type: "object", text: `Endpoints ${name} has no ready addresses` },
    {
      type: "status",
      text: `selector ${formatMap(sel)} matches ${pods.length} of ${nsPods.length} pods in namespace ${svc.metadata?.namespace}`,
    },
  ];
  const base = { source: SOURCE, subject: refOf("Service", svc.metadata), reason: "NoEndpoints" };
  if (!pods.length) {
    const owner = templates.find((t) => matchesMap(sel, t.labels));
    if (owner) return scaledDown(svc, owner, evidence, now);
    const near = nearestLabels(sel, nsPods);
    const fixSel = near
      ? Object.fromEntries(near.map((l) => l.split("=") as [string, string]))
      : undefined;
    return makeFinding(
      {
        ...base,
        key: `selector/${formatMap(sel)}`,
        affected: [],
        rootCause: `Service ${name} selects ${formatMap(sel)}, which matches no pod${near ? `; the nearest pods carry ${near.join(",")}` : ""}`,
        evidence,
        fix: {
          description: fixSel
            ? `change the Service selector to ${near?.join(",")} (or relabel the pods)`
            : "create the pods this Service is for, or change its selector to their labels",
          ...(fixSel
            ? {
                patch: { spec: { selector: fixSel } },
                command: `kubectl -n ${svc.metadata?.namespace} patch service ${svc.metadata?.name} -p '${JSON.stringify({ spec: { selector: fixSel } })}'`,
              }
            : {}),
        },
        confidence: near ? 0.95 : 0.85,
        severity: "critical",
      },
      now,
    );
  }
  const namedMissing = missingNamedPorts(svc, pods);
  if (namedMissing.length && pods.every(isReady)) {
    return makeFinding(
      {
        ...base,
        key: `port/${namedMissing.join(",")}`,
        affected: pods.map(podRef),
        rootCause: `Service ${name} targets the named port ${namedMissing.map((p) => `"${p}"`).join(", ")}, which no container of its ${pods.length} selected pods declares (they declare ${declaredPorts(pods).join(", ") || "no ports"})`,
        evidence,
        fix: {
          description: `set targetPort to a port the containers declare, or name the container port "${namedMissing[0]}"`,
        },
        confidence: 0.9,
        severity: "critical",
      },
      now,
    );
  }
  const notReady = pods.filter((p) => !isReady(p));
  // Pods still starting (a rollout, a scale-up) are not a problem yet: the same warm-up the
  // probes analyzer allows before a readiness failure counts.
  if (notReady.every((p) => now - (timeOf(p.metadata?.creationTimestamp) ?? 0) < WARM_UP_MS))
    return null;
  const outage = makeFinding(
    {
      ...base,
      key: "not-ready",
      affected: notReady.map(podRef),
      rootCause: `Service ${name} has no endpoints because none of its ${pods.length} selected pods is ready (${notReady
        .slice(0, 3)
        .map((p) => p.metadata?.name)
        .join(
          ", ",
        )}${notReady.length > 3 ? ", ..." : ""}: ${podStates(notReady)}); the pods' own findings give the cause`,
      evidence,
      fix: {
        description: "fix what keeps the selected pods from becoming ready (see their findings)",
      },
      confidence: 0.8,
      severity: "critical",
    },
    now,
  );
  return markPodsNotReadyOutage(outage);
}

/**
 * The selector is right but no pod runs: a Deployment/StatefulSet at 0 replicas is the cause
 * (info: often deliberate); a Job or CronJob between runs is not a problem at all.
 */
function scaledDown(
  svc: V1Service,
  owner: TemplateOwner,
  evidence: Evidence[],
  now: number,
): Finding | null {
  if (owner.replicas !== 0) return null; // its pods are on their way, or its own finding says why not
  const ns = svc.metadata?.namespace;
  return makeFinding(
    {
      source: SOURCE,
      key: `scaled-down/${owner.kind}/${owner.name}`,
      subject: refOf("Service", svc.metadata),
      affected: [{ kind: owner.kind, namespace: ns, name: owner.name }],
      reason: "NoEndpoints",
      rootCause: `Service ${ns}/${svc.metadata?.name} has no endpoints because ${owner.kind} ${owner.name}, whose pods it selects, is scaled to 0 replicas`,
      evidence,
      fix: {
        description: `scale ${owner.kind} ${owner.name} up if the Service should serve`,
        command: `kubectl -n ${ns} scale ${owner.kind.toLowerCase()} ${owner.name} --replicas=1`,
      },
      confidence: 0.9,
      severity: "info",
    },
    now,
  );
}

/** "CrashLoopBackOff x2, Pending x1": why the pods are not ready, in the kubelet's words. */
function podStates(pods: V1Pod[]): string {
  const counts = new Map<string, number>();
  for (const p of pods) {
    const waiting = (p.status?.containerStatuses ?? []).find((c) => c.state?.waiting?.reason);
    const state =
      waiting?.state?.waiting?.reason ??
      (p.status?.phase === "Running" ? "Running, not ready" : (p.status?.phase ?? "Unknown"));
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} x${n}`).join(", ");
}

function portMismatch(svc: V1Service, pods: V1Pod[], now: number): Finding | null {
  const declared = new Set(declaredPortNumbers(pods));
  if (!declared.size) return null;
  const wrong = (svc.spec?.ports ?? []).filter(
    (p) => typeof targetOf(p) === "number" && !declared.has(targetOf(p) as number),
  );
  if (!wrong.length) return null;
  const name = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
  const first = wrong[0] as V1ServicePort;
  const suggestion = [...declared][0] as number;
  const ports = (svc.spec?.ports ?? []).map((p) =>
    p === first ? { ...stripPort(p), targetPort: suggestion } : stripPort(p),
  );
  return makeFinding(
    {
      source: SOURCE,
      key: `target/${wrong.map(targetOf).join(",")}`,
      subject: refOf("Service", svc.metadata),
      affected: pods.map(podRef),
      reason: "TargetPortMismatch",
      rootCause: `Service ${name} sends port ${first.port} to targetPort ${targetOf(first)}, but its pods' containers declare port ${[...declared].join(", ")}: connections reach a closed port`,
      evidence: [
        {
          type: "object",
          text: `spec.ports: ${(svc.spec?.ports ?? []).map((p) => `${p.port}->${targetOf(p)}`).join(", ")}; containerPorts: ${declaredPorts(pods).join(", ")}`,
        },
      ],
      fix: {
        description: `set targetPort to ${suggestion}`,
        patch: { spec: { ports } },
        command: `kubectl -n ${svc.metadata?.namespace} patch service ${svc.metadata?.name} -p '${JSON.stringify({ spec: { ports } })}'`,
      },
      confidence: 0.75,
      severity: "warning",
    },
    now,
  );
}

/** The strategic-merge key of Service ports is `port`: keep what identifies the entry. */
function stripPort(p: V1ServicePort): Record<string, unknown> {
  return {
    port: p.port,
    ...(p.name ? { name: p.name } : {}),
    ...(p.protocol ? { protocol: p.protocol } : {}),
    targetPort: targetOf(p),
  };
}

function targetOf(p: V1ServicePort): number | string {
  const t = p.targetPort ?? p.port;
  return typeof t === "string" && /^\d+$/.test(t) ? Number(t) : t;
}

function missingNamedPorts(svc: V1Service, pods: V1Pod[]): string[] {
  const names = new Set(
    pods.flatMap((p) =>
      (p.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((x) => x.name)),
    ),
  );
  return (svc.spec?.ports ?? [])
    .map(targetOf)
    .filter((t): t is string => typeof t === "string" && !names.has(t));
}

function declaredPortNumbers(pods: V1Pod[]): number[] {
  const s = new Set<number>();
  for (const p of pods)
    for (const c of p.spec?.containers ?? []) for (const x of c.ports ?? []) s.add(x.containerPort);
  return [...s].sort((a, b) => a - b);
}

function declaredPorts(pods: V1Pod[]): string[] {
  const s = new Set<string>();
  for (const p of pods)
    for (const c of p.spec?.containers ?? [])
      for (const x of c.ports ?? [])
        s.add(x.name ? `${x.containerPort} (${x.name})` : `${x.containerPort}`);
  return [...s];
}

/**
 * The label values, among pods carrying every selector key, closest to the selector's by edit
 * distance: `app=api-server` vs pods labelled `app=api`.
 */
function nearestLabels(sel: Record<string, string>, pods: V1Pod[]): string[] | undefined {
  const keys = Object.keys(sel);
  let best: string[] | undefined;
  let bestDist = Number.POSITIVE_INFINITY;
  const seen = new Set<string>();
  for (const p of pods) {
    const l = p.metadata?.labels ?? {};
    if (!keys.every((k) => k in l)) continue;
    const cand = keys.map((k) => `${k}=${l[k]}`);
    const id = cand.join(",");
    if (seen.has(id)) continue;
    seen.add(id);
    const dist = keys.reduce((d, k) => d + editDistance(sel[k] ?? "", l[k] ?? ""), 0);
    if (dist < bestDist) {
      bestDist = dist;
      best = cand;
    }
  }
  return best;
}
