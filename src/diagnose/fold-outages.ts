/**
 * One finding per root cause: a Service that has no endpoints only because its pods are not
 * ready is a consequence of whatever keeps those pods down (a missing ConfigMap, a crash loop, a
 * failing probe). When one other finding already covers every one of those pods, the Service
 * joins that finding's affected objects (with a line of evidence, and its outage's severity)
 * instead of standing as a second problem. When the pods fail for several causes, or for none
 * that an analyzer names, the Service's own finding stays: it is then the best answer there is.
 */
import type { Finding, ObjectRef, Severity } from "../core/types.ts";

/** Findings the service analyzer makes for "no endpoints because no selected pod is ready". */
const podsNotReadyOutages = new WeakSet<Finding>();

export function markPodsNotReadyOutage(f: Finding): Finding {
  podsNotReadyOutages.add(f);
  return f;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

function keyOf(r: ObjectRef): string {
  return `${r.kind}/${r.namespace ?? ""}/${r.name}`;
}

export function foldServiceOutages(findings: Finding[]): Finding[] {
  const outages = findings.filter((f) => podsNotReadyOutages.has(f));
  if (outages.length === 0) return findings;
  const causes = findings.filter((f) => !podsNotReadyOutages.has(f) && f.kind === "problem");
  const covers = new Map(
    causes.map((f) => [f, new Set([f.subject, ...f.affected].map(keyOf))] as const),
  );
  const folded = new Set<Finding>();
  for (const outage of outages) {
    const pods = outage.affected.filter((r) => r.kind === "Pod").map(keyOf);
    if (pods.length === 0) continue;
    const cause = causes.find((f) => pods.every((p) => covers.get(f)?.has(p)));
    if (!cause) continue;
    const svc = outage.subject;
    cause.affected = [...cause.affected, svc];
    cause.evidence = [
      ...cause.evidence,
      {
        type: "status",
        text: `Service ${svc.namespace}/${svc.name} has no ready endpoints: all ${pods.length} of its selected pods are affected by this problem`,
      },
    ];
    if (RANK[outage.severity] > RANK[cause.severity]) cause.severity = outage.severity;
    folded.add(outage);
  }
  return folded.size === 0 ? findings : findings.filter((f) => !folded.has(f));
}
