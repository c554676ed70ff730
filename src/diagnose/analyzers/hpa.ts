/**
 * HorizontalPodAutoscalers that cannot do their job, judged from the specs (so a fresh HPA is
 * diagnosed before its controller's first sync) and confirmed by its conditions: the scale target
 * does not exist (FailedGetScale), a Utilization metric over a resource some container does not
 * request (FailedGetResourceMetric: utilization = usage / request is undefined,
 * "missing request for cpu in container X"), or the HPA wants more than maxReplicas
 * (ScalingLimited/TooManyReplicas). A healthy HPA — metrics valid, within range — yields nothing.
 */
import type { V1PodTemplateSpec, V2HorizontalPodAutoscaler } from "@kubernetes/client-node";
import type { Evidence, Finding } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { eventEvidence, eventIndex, makeFinding, refOf } from "./common.ts";

const SOURCE = "diagnose/hpa";

function templateOf(
  snap: ClusterSnapshot,
  hpa: V2HorizontalPodAutoscaler,
): V1PodTemplateSpec | undefined | null {
  const ref = hpa.spec?.scaleTargetRef;
  const ns = hpa.metadata?.namespace;
  const pick = <
    T extends {
      metadata?: { namespace?: string; name?: string };
      spec?: { template?: V1PodTemplateSpec };
    },
  >(
    list: T[],
  ) => list.find((o) => o.metadata?.namespace === ns && o.metadata?.name === ref?.name);
  const target =
    ref?.kind === "Deployment"
      ? pick(snap.deployments)
      : ref?.kind === "StatefulSet"
        ? pick(snap.statefulSets)
        : ref?.kind === "ReplicaSet"
          ? pick(snap.replicaSets)
          : undefined;
  // Unknown kinds (a CRD with a scale subresource) cannot be judged from the snapshot.
  if (!target)
    return ["Deployment", "StatefulSet", "ReplicaSet"].includes(ref?.kind ?? "") ? null : undefined;
  return target.spec?.template;
}

function condition(hpa: V2HorizontalPodAutoscaler, type: string) {
  return (hpa.status?.conditions ?? []).find((c) => c.type === type);
}

export function analyzeHpas(snap: ClusterSnapshot, now: number): Finding[] {
  const out: Finding[] = [];
  for (const hpa of snap.horizontalPodAutoscalers) {
    const f =
      targetMissing(snap, hpa, now) ??
      missingRequests(snap, hpa, now) ??
      metricsUnavailable(snap, hpa, now) ??
      atMax(hpa, now);
    if (f) out.push(f);
  }
  return out;
}

function evidenceOf(
  snap: ClusterSnapshot,
  hpa: V2HorizontalPodAutoscaler,
  reasons: string[],
): Evidence[] {
  const events = eventIndex(snap)
    .of("HorizontalPodAutoscaler", hpa.metadata)
    .filter((e) => reasons.includes(e.reason ?? ""))
    .slice(0, 2)
    .map(eventEvidence);
  const conds = (hpa.status?.conditions ?? [])
    .filter((c) => reasons.includes(c.reason ?? ""))
    .map(
      (c): Evidence => ({
        type: "status",
        text: `${c.type}=${c.status} ${c.reason}: ${c.message ?? ""}`,
      }),
    );
  return [...conds, ...events];
}

function targetMissing(
  snap: ClusterSnapshot,
  hpa: V2HorizontalPodAutoscaler,
  now: number,
): Finding | undefined {
  if (templateOf(snap, hpa) !== null) return undefined;
  const ref = hpa.spec?.scaleTargetRef;
  const ns = hpa.metadata?.namespace;
  return makeFinding(
    {
      source: SOURCE,
      key: `target/${ref?.kind}/${ref?.name}`,
      subject: refOf("HorizontalPodAutoscaler", hpa.metadata),
      affected: [{ kind: ref?.kind ?? "", namespace: ns, name: ref?.name ?? "" }],
      reason: "FailedGetScale",
      rootCause: `HorizontalPodAutoscaler ${ns}/${hpa.metadata?.name} scales ${ref?.kind} ${ref?.name}, which does not exist in namespace ${ns}`,
      evidence: [
        { type: "object", text: `${ref?.kind} ${ns}/${ref?.name} not found` },
        ...evidenceOf(snap, hpa, ["FailedGetScale"]),
      ],
      fix: { description: `point scaleTargetRef at an existing workload, or delete the HPA` },
      confidence: 0.9,
      severity: "warning",
    },
    now,
  );
}

function missingRequests(
  snap: ClusterSnapshot,
  hpa: V2HorizontalPodAutoscaler,
  now: number,
): Finding | undefined {
  const tpl = templateOf(snap, hpa);
  if (!tpl) return undefined;
  // autoscaling/v2 defaults to 80% CPU utilization when no metric is given.
  const metrics = hpa.spec?.metrics ?? [
    {
      type: "Resource",
      resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
    },
  ];
  const resources = metrics
    .filter((m) => m.type === "Resource" && m.resource?.target?.type === "Utilization")
    .map((m) => m.resource?.name ?? "cpu");
  for (const res of resources) {
    const lacking = (tpl.spec?.containers ?? []).filter((c) => !c.resources?.requests?.[res]);
    if (!lacking.length) continue;
    const ref = hpa.spec?.scaleTargetRef;
    const ns = hpa.metadata?.namespace;
    const req = res === "cpu" ? "100m" : "256Mi";
    const patch = {
      spec: {
        template: {
          spec: {
            containers: lacking.map((c) => ({
              name: c.name,
              resources: { requests: { [res]: req } },
            })),
          },
        },
      },
    };
    return makeFinding(
      {
        source: SOURCE,
        key: `requests/${res}/${lacking.map((c) => c.name).join(",")}`,
        subject: refOf("HorizontalPodAutoscaler", hpa.metadata),
        affected: [{ kind: ref?.kind ?? "", namespace: ns, name: ref?.name ?? "" }],
        reason: "FailedGetResourceMetric",
        rootCause: `HorizontalPodAutoscaler ${ns}/${hpa.metadata?.name} scales on ${res} utilization, but container ${lacking.map((c) => c.name).join(", ")} of ${ref?.kind} ${ref?.name} sets no ${res} request, so utilization (usage / request) is undefined and the HPA never scales`,
        evidence: [
          {
            type: "object",
            text: `${ref?.kind} ${ns}/${ref?.name}: container ${lacking.map((c) => c.name).join(", ")} has no resources.requests.${res}`,
          },
          ...evidenceOf(snap, hpa, ["FailedGetResourceMetric", "FailedComputeMetricsReplicas"]),
        ],
        fix: {
          description: `set resources.requests.${res} on ${lacking.map((c) => c.name).join(", ")} (e.g. ${req}; size it from observed usage)`,
          patch,
          command: `kubectl -n ${ns} patch ${ref?.kind?.toLowerCase()} ${ref?.name} -p '${JSON.stringify(patch)}'`,
        },
        confidence: 0.95,
        severity: "warning",
      },
      now,
    );
  }
  return undefined;
}

/**
 * ScalingActive=False for another reason than missing requests: usually no resource metrics API
 * (metrics-server absent or failing: "unable to get metrics for resource cpu: no metrics returned
 * from resource metrics API") — the condition's message is the controller's own diagnosis.
 */
function metricsUnavailable(
  snap: ClusterSnapshot,
  hpa: V2HorizontalPodAutoscaler,
  now: number,
): Finding | undefined {
  const active = condition(hpa, "ScalingActive");
  if (active?.status !== "False" || !/^FailedGet.*Metric$/.test(active.reason ?? ""))
    return undefined;
  const ns = hpa.metadata?.namespace;
  const ref = hpa.spec?.scaleTargetRef;
  const noApi = /metrics API|unable to fetch metrics|no metrics returned/i.test(
    active.message ?? "",
  );
  return makeFinding(
    {
      source: SOURCE,
      key: `metrics/${active.reason}`,
      subject: refOf("HorizontalPodAutoscaler", hpa.metadata),
      affected: [{ kind: ref?.kind ?? "", namespace: ns, name: ref?.name ?? "" }],
      reason: active.reason ?? "FailedGetResourceMetric",
      rootCause: `HorizontalPodAutoscaler ${ns}/${hpa.metadata?.name} cannot read its metrics${noApi ? " (the metrics API returns none: is metrics-server, or the adapter for custom metrics, running?)" : ""} and does not scale: ${active.message ?? ""}`,
      evidence: evidenceOf(snap, hpa, [active.reason ?? "", "FailedComputeMetricsReplicas"]),
      fix: {
        description: noApi
          ? "install or repair metrics-server (kubectl top pods must work), or the custom metrics adapter"
          : "make the metric the HPA names available, or change the HPA's metrics",
        ...(noApi ? { command: "kubectl get apiservice v1beta1.metrics.k8s.io" } : {}),
      },
      confidence: 0.8,
      severity: "warning",
    },
    now,
  );
}

function atMax(hpa: V2HorizontalPodAutoscaler, now: number): Finding | undefined {
  const limited = condition(hpa, "ScalingLimited");
  const max = hpa.spec?.maxReplicas ?? 0;
  if (limited?.status !== "True" || limited.reason !== "TooManyReplicas") return undefined;
  if ((hpa.status?.currentReplicas ?? 0) < max) return undefined;
  const ns = hpa.metadata?.namespace;
  const ref = hpa.spec?.scaleTargetRef;
  const patch = { spec: { maxReplicas: Math.ceil(max * 1.5) } };
  const metrics = (hpa.status?.currentMetrics ?? [])
    .map(
      (m) =>
        `${m.resource?.name ?? m.type}: ${m.resource?.current?.averageUtilization ?? m.resource?.current?.averageValue ?? "?"}${m.resource?.current?.averageUtilization !== undefined ? "%" : ""}`,
    )
    .join(", ");
  return makeFinding(
    {
      source: SOURCE,
      key: "max",
      subject: refOf("HorizontalPodAutoscaler", hpa.metadata),
      affected: [{ kind: ref?.kind ?? "", namespace: ns, name: ref?.name ?? "" }],
      reason: "AtMaxReplicas",
      rootCause: `HorizontalPodAutoscaler ${ns}/${hpa.metadata?.name} is pinned at maxReplicas ${max} and wants more (desired ${hpa.status?.desiredReplicas ?? "?"}${metrics ? `; ${metrics}` : ""}): ${ref?.kind} ${ref?.name} runs above its target`,
      evidence: [
        { type: "status", text: `ScalingLimited=True TooManyReplicas: ${limited.message ?? ""}` },
      ],
      fix: {
        description: `raise maxReplicas (e.g. to ${patch.spec.maxReplicas}) if the cluster has room, or reduce per-pod load`,
        patch,
        command: `kubectl -n ${ns} patch hpa ${hpa.metadata?.name} -p '${JSON.stringify(patch)}'`,
      },
      confidence: 0.8,
      severity: "warning",
    },
    now,
  );
}
