/**
 * Checks that need the whole set of files: a Service selecting no pod template, an Ingress to a
 * Service not in the files, ConfigMap/Secret references not in the files, PodDisruptionBudgets
 * that forbid every eviction, single replicas without one, and HPAs over targets without
 * requests. What is absent from the files may exist in the cluster, so such findings are info;
 * what is wrong within the files (a selector, a budget) is a warning.
 */
import type { V1Ingress, V1PodDisruptionBudget, V1Service } from "@kubernetes/client-node";
import { matchesSelector } from "../core/label-selector.ts";
import {
  describeMissing,
  missingRefs,
  missingVolumeRefs,
} from "../diagnose/analyzers/config-refs.ts";
import { analyzeHpas } from "../diagnose/analyzers/hpa.ts";
import { formatMap, matchesMap } from "../diagnose/analyzers/label-match.ts";
import { blocking } from "../diagnose/analyzers/pdb.ts";
import type { ClusterSnapshot } from "../sources/kubernetes/snapshot.ts";
import { probeIssue } from "./pod-checks.ts";
import { type PodTemplate, templatePatch } from "./templates.ts";
import type { ManifestDoc } from "./types.ts";

/** A finding before file, line and object are attached. */
export interface SetIssue {
  doc: ManifestDoc;
  rule: string;
  message: string;
  fix: string;
  patch?: object;
}

export interface ScanSet {
  docs: ManifestDoc[];
  templates: PodTemplate[];
  snap: ClusterSnapshot;
}

const nsOf = (o: { metadata?: { namespace?: string } }) => o.metadata?.namespace ?? "default";
const docOf = (
  set: ScanSet,
  kind: string,
  o: { metadata?: { namespace?: string; name?: string } },
) =>
  set.docs.find(
    (d) =>
      d.obj.kind === kind &&
      (d.obj.metadata?.namespace ?? "default") === nsOf(o) &&
      d.obj.metadata?.name === o.metadata?.name,
  ) as ManifestDoc;

function selected(set: ScanSet, svc: V1Service): PodTemplate[] {
  const sel = svc.spec?.selector;
  if (!sel || !Object.keys(sel).length) return [];
  return set.templates.filter(
    (t) =>
      t.ref.namespace === nsOf(svc) && t.ref.kind !== "PodTemplate" && matchesMap(sel, t.labels),
  );
}

export function setIssues(set: ScanSet): SetIssue[] {
  return [
    ...serviceIssues(set),
    ...ingressIssues(set),
    ...configIssues(set),
    ...pdbIssues(set),
    ...hpaIssues(set),
  ];
}

function serviceIssues(set: ScanSet): SetIssue[] {
  const out: SetIssue[] = [];
  for (const svc of set.snap.services) {
    const sel = svc.spec?.selector;
    // No selector: endpoints are managed by hand or by a controller; ExternalName has no pods.
    if (!sel || !Object.keys(sel).length || svc.spec?.type === "ExternalName") continue;
    const served = selected(set, svc);
    if (!served.length) {
      const near = set.templates.find(
        (t) => t.ref.namespace === nsOf(svc) && Object.keys(sel).some((k) => k in t.labels),
      );
      const fixSel = near && Object.fromEntries(Object.keys(sel).map((k) => [k, near.labels[k]]));
      out.push({
        doc: docOf(set, "Service", svc),
        rule: "service-selects-nothing",
        message: `Service selects ${formatMap(sel)}, which matches no pod template in namespace ${nsOf(svc)}${near ? `; ${near.ref.kind} ${near.ref.name} carries ${formatMap(near.labels)}` : ""}`,
        fix: near
          ? `select ${near.ref.kind} ${near.ref.name}'s labels, or change its template labels`
          : "fix the selector, or add the workload it should select",
        ...(fixSel && Object.values(fixSel).every(Boolean)
          ? { patch: { spec: { selector: fixSel } } }
          : {}),
      });
    }
    for (const t of served)
      if (t.ref.kind === "Deployment" || t.ref.kind === "StatefulSet")
        for (const c of t.spec.containers) {
          const p = probeIssue(c, svc.metadata?.name ?? "");
          if (p)
            out.push({
              doc: t.doc,
              rule: p.rule,
              message: p.message,
              fix: p.fix,
              ...(p.patch ? { patch: templatePatch(t, p.patch) } : {}),
            });
        }
  }
  return dedupe(out);
}

function dedupe(issues: SetIssue[]): SetIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.doc.file}:${i.doc.line}:${i.rule}:${JSON.stringify(i.patch)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function backends(ing: V1Ingress): string[] {
  const names = [ing.spec?.defaultBackend?.service?.name];
  for (const r of ing.spec?.rules ?? [])
    for (const p of r.http?.paths ?? []) names.push(p.backend?.service?.name);
  return [...new Set(names.filter((n): n is string => !!n))];
}

function ingressIssues(set: ScanSet): SetIssue[] {
  const out: SetIssue[] = [];
  for (const ing of set.snap.ingresses)
    for (const name of backends(ing))
      if (!set.snap.services.some((s) => nsOf(s) === nsOf(ing) && s.metadata?.name === name))
        out.push({
          doc: docOf(set, "Ingress", ing),
          rule: "ingress-service-missing",
          message: `Ingress routes to Service ${nsOf(ing)}/${name}, which is not in the scanned files`,
          fix: `make sure Service ${name} exists in namespace ${nsOf(ing)} (else the Ingress answers 503), or fix the backend name`,
        });
  return out;
}

function configIssues(set: ScanSet): SetIssue[] {
  const out: SetIssue[] = [];
  for (const t of set.templates) {
    const ns = t.ref.namespace ?? "default";
    const pod = { metadata: { namespace: ns }, spec: t.spec };
    const containers = [...(t.spec.initContainers ?? []), ...t.spec.containers];
    const missing = [
      ...containers.flatMap((c) => missingRefs(set.snap, pod, c.name)),
      ...missingVolumeRefs(set.snap, pod),
    ];
    for (const m of missing)
      out.push({
        doc: t.doc,
        rule: "config-ref-missing",
        message: `${m.usedBy ? `${m.usedBy}: ` : ""}${describeMissing(m, ns)} in the scanned files`,
        fix: `make sure ${m.kind} ${m.name} exists in namespace ${ns}${m.similar ? ` (or use "${m.similar}")` : ""}, or mark the reference optional: true`,
      });
  }
  return out;
}

function pdbIssues(set: ScanSet): SetIssue[] {
  const out: SetIssue[] = [];
  const pdbs = set.snap.podDisruptionBudgets;
  const covers = (pdb: V1PodDisruptionBudget, t: PodTemplate) =>
    nsOf(pdb) === t.ref.namespace && matchesSelector(pdb.spec?.selector, t.labels);
  for (const pdb of pdbs) {
    const covered = set.templates.filter((t) => covers(pdb, t));
    const expected = covered.reduce((n, t) => n + (t.replicas ?? 0), 0);
    const why = blocking(pdb, expected);
    if (why)
      out.push({
        doc: docOf(set, "PodDisruptionBudget", pdb),
        rule: "pdb-blocks-eviction",
        message: `PodDisruptionBudget allows no eviction (${why}): node drains and upgrades will hang`,
        fix:
          expected > 1
            ? "allow one pod to be evicted at a time"
            : "run two or more replicas and allow one to be evicted",
        patch: { spec: { minAvailable: null, maxUnavailable: 1 } },
      });
  }
  const hpaTargets = new Set(
    set.snap.horizontalPodAutoscalers.map(
      (h) => `${nsOf(h)}/${h.spec?.scaleTargetRef?.kind}/${h.spec?.scaleTargetRef?.name}`,
    ),
  );
  for (const t of set.templates) {
    if (t.replicas !== 1 || hpaTargets.has(`${t.ref.namespace}/${t.ref.kind}/${t.ref.name}`))
      continue;
    if (pdbs.some((p) => covers(p, t))) continue;
    out.push({
      doc: t.doc,
      rule: "single-replica-no-pdb",
      message: `${t.ref.kind} runs a single replica and no PodDisruptionBudget covers it: every node drain takes it down`,
      fix: "run two or more replicas and add a PodDisruptionBudget with maxUnavailable: 1",
      patch: { spec: { replicas: 2 } },
    });
  }
  return out;
}

/** diagnose's HPA analyzer judges the spec before any status exists: its missing-request check is ours. */
function hpaIssues(set: ScanSet): SetIssue[] {
  return analyzeHpas(set.snap, 0)
    .filter((f) => f.reason === "FailedGetResourceMetric")
    .map((f) => ({
      doc: docOf(set, "HorizontalPodAutoscaler", { metadata: f.subject }),
      rule: "hpa-target-without-requests",
      message: f.rootCause.replace(/^HorizontalPodAutoscaler \S+ /, "HPA "),
      fix: `${f.fix?.description ?? "set the request on every container"} (the patch is for ${f.affected[0]?.kind} ${f.affected[0]?.name})`,
      ...(f.fix?.patch ? { patch: f.fix.patch as object } : {}),
    }));
}
