/**
 * ConfigMaps no pod or pod template references (volumes, projected volumes, env, envFrom):
 * clutter, or a sign that a rename left the consumer pointing elsewhere. Low severity (info).
 * Skipped: kube-root-ca.crt (published into every namespace by the root CA publisher), the
 * system namespaces. The snapshot keeps only names and keys, so a ConfigMap read through the API
 * by its app (leader election, operators) looks unused too: hence info, never more.
 */
import type { V1PodSpec } from "@kubernetes/client-node";
import type { Finding } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { makeFinding } from "./common.ts";

const SOURCE = "diagnose/configmaps";
const SYSTEM = new Set(["kube-system", "kube-public", "kube-node-lease"]);

function referenced(spec: V1PodSpec | undefined, into: Set<string>, ns: string): void {
  for (const v of spec?.volumes ?? []) {
    if (v.configMap?.name) into.add(`${ns}/${v.configMap.name}`);
    for (const s of v.projected?.sources ?? [])
      if (s.configMap?.name) into.add(`${ns}/${s.configMap.name}`);
  }
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const e of c.env ?? []) {
      const n = e.valueFrom?.configMapKeyRef?.name;
      if (n) into.add(`${ns}/${n}`);
    }
    for (const f of c.envFrom ?? [])
      if (f.configMapRef?.name) into.add(`${ns}/${f.configMapRef.name}`);
  }
}

export function analyzeUnusedConfigMaps(snap: ClusterSnapshot, now: number): Finding[] {
  if (snap.unsynced?.includes("ConfigMap")) return [];
  const used = new Set<string>();
  const templated = [
    ...snap.deployments,
    ...snap.statefulSets,
    ...snap.daemonSets,
    ...snap.replicaSets,
    ...snap.jobs,
  ];
  for (const p of snap.pods) referenced(p.spec, used, p.metadata?.namespace ?? "");
  for (const w of templated) referenced(w.spec?.template?.spec, used, w.metadata?.namespace ?? "");
  for (const cj of snap.cronJobs)
    referenced(cj.spec?.jobTemplate?.spec?.template?.spec, used, cj.metadata?.namespace ?? "");
  const out: Finding[] = [];
  for (const cm of snap.configMaps) {
    if (SYSTEM.has(cm.namespace) || cm.name === "kube-root-ca.crt") continue;
    if (used.has(`${cm.namespace}/${cm.name}`)) continue;
    out.push(
      makeFinding(
        {
          source: SOURCE,
          key: "unused",
          subject: { kind: "ConfigMap", namespace: cm.namespace, name: cm.name },
          affected: [],
          reason: "UnusedConfigMap",
          rootCause: `ConfigMap ${cm.namespace}/${cm.name} is not used by any pod or workload template`,
          evidence: [
            { type: "object", text: `keys: ${cm.keys.join(", ") || "none"}; referenced by 0 pods` },
          ],
          fix: {
            description: "delete it if nothing reads it through the API",
            command: `kubectl -n ${cm.namespace} delete configmap ${cm.name}`,
          },
          confidence: 0.6,
          severity: "info",
        },
        now,
      ),
    );
  }
  return out;
}
