/**
 * Cause of CreateContainerConfigError: which ConfigMap/Secret (or key) a container references
 * that does not exist. The kubelet's message names the first failure only
 * (`configmap "x" not found`, `couldn't find key k in ConfigMap ns/x`; kubelet_pods.go
 * makeEnvironmentVariables), so the pod spec is cross-checked against the snapshot to name all
 * of them, and an existing object with a similar name is suggested (a typo is the usual cause).
 */
import type { V1Container, V1Pod, V1Volume } from "@kubernetes/client-node";
import type { ClusterSnapshot, ConfigRef } from "../../sources/kubernetes/snapshot.ts";

export type ConfigKind = "ConfigMap" | "Secret";

export interface MissingRef {
  kind: ConfigKind;
  name: string;
  /** Undefined: the whole object is missing; otherwise the missing key. */
  key?: string;
  /** Where the container references it, e.g. "env API_URL" or "envFrom"; "" when only the kubelet message names it. */
  usedBy: string;
  similar?: string;
  /** Namespaces where an object of that kind and name exists (ConfigMaps do not cross namespaces). */
  elsewhere?: string[];
}

interface Reference {
  kind: ConfigKind;
  name: string;
  key?: string;
  usedBy: string;
  optional: boolean;
}

function references(c: V1Container): Reference[] {
  const out: Reference[] = [];
  for (const e of c.env ?? []) {
    const cm = e.valueFrom?.configMapKeyRef;
    if (cm?.name)
      out.push({
        kind: "ConfigMap",
        name: cm.name,
        key: cm.key,
        usedBy: `env ${e.name}`,
        optional: !!cm.optional,
      });
    const s = e.valueFrom?.secretKeyRef;
    if (s?.name)
      out.push({
        kind: "Secret",
        name: s.name,
        key: s.key,
        usedBy: `env ${e.name}`,
        optional: !!s.optional,
      });
  }
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef?.name)
      out.push({
        kind: "ConfigMap",
        name: f.configMapRef.name,
        usedBy: "envFrom",
        optional: !!f.configMapRef.optional,
      });
    if (f.secretRef?.name)
      out.push({
        kind: "Secret",
        name: f.secretRef.name,
        usedBy: "envFrom",
        optional: !!f.secretRef.optional,
      });
  }
  return out;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** The closest existing name, if it is close enough to be a plausible typo or rename. */
export function similarName(name: string, candidates: string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    if (c === name) continue;
    const d = editDistance(name, c);
    const related = c.startsWith(name) || name.startsWith(c);
    const limit = Math.max(2, Math.floor(name.length / 3));
    if ((d <= limit || related) && (!best || d < best.d)) best = { name: c, d };
  }
  return best?.name;
}

function pool(snap: ClusterSnapshot, kind: ConfigKind, ns: string): ConfigRef[] {
  return (kind === "ConfigMap" ? snap.configMaps : snap.secrets).filter((r) => r.namespace === ns);
}

/** configMap/secret volumes and projected sources; `items` keys must exist too (kubelet volume plugins). */
function volumeReferences(v: V1Volume): Reference[] {
  const out: Reference[] = [];
  const usedBy = `volume ${v.name}`;
  const sources = v.projected
    ? (v.projected.sources ?? []).map((s) => ({ configMap: s.configMap, secret: s.secret }))
    : [
        {
          configMap: v.configMap,
          secret: v.secret ? { ...v.secret, name: v.secret.secretName } : undefined,
        },
      ];
  for (const s of sources) {
    for (const [kind, ref] of [
      ["ConfigMap", s.configMap],
      ["Secret", s.secret],
    ] as const) {
      if (!ref?.name) continue;
      const optional = !!ref.optional;
      out.push({ kind, name: ref.name, usedBy, optional });
      for (const item of ref.items ?? [])
        out.push({ kind, name: ref.name, key: item.key, usedBy, optional });
    }
  }
  return out;
}

/** Missing ConfigMaps/Secrets (or keys) of the pod's volumes: the cause of FailedMount. */
export function missingVolumeRefs(snap: ClusterSnapshot, pod: V1Pod): MissingRef[] {
  return check(
    snap,
    pod.metadata?.namespace ?? "",
    (pod.spec?.volumes ?? []).flatMap(volumeReferences),
  );
}

/** Missing references of one container, checked against the snapshot. */
export function missingRefs(snap: ClusterSnapshot, pod: V1Pod, container: string): MissingRef[] {
  const ns = pod.metadata?.namespace ?? "";
  const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
    (c) => c.name === container,
  );
  if (!spec) return [];
  return check(snap, ns, references(spec));
}

function check(snap: ClusterSnapshot, ns: string, refs: Reference[]): MissingRef[] {
  const out: MissingRef[] = [];
  const seen = new Set<string>();
  for (const r of refs) {
    const id = `${r.kind}/${r.name}/${r.key ?? ""}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (r.optional || snap.unsynced?.includes(r.kind)) continue;
    const objects = pool(snap, r.kind, ns);
    const found = objects.find((o) => o.name === r.name);
    if (!found) {
      if (seen.has(`${r.kind}/${r.name}/missing`)) continue;
      seen.add(`${r.kind}/${r.name}/missing`);
      const elsewhere = (r.kind === "ConfigMap" ? snap.configMaps : snap.secrets)
        .filter((o) => o.name === r.name && o.namespace !== ns)
        .map((o) => o.namespace);
      out.push({
        kind: r.kind,
        name: r.name,
        usedBy: r.usedBy,
        similar: similarName(
          r.name,
          objects.map((o) => o.name),
        ),
        ...(elsewhere.length ? { elsewhere } : {}),
      });
    } else if (r.key !== undefined && !found.keys.includes(r.key)) {
      out.push({
        kind: r.kind,
        name: r.name,
        key: r.key,
        usedBy: r.usedBy,
        similar: similarName(r.key, found.keys),
      });
    }
  }
  return out;
}

/** Parses the kubelet's waiting message when the snapshot cannot tell (e.g. not yet synced). */
export function parseConfigMessage(message: string): Omit<MissingRef, "usedBy"> | undefined {
  const notFound = /\b(configmap|secret)s? "([^"]+)" not found/i.exec(message);
  if (notFound)
    return {
      kind: notFound[1]?.toLowerCase() === "secret" ? "Secret" : "ConfigMap",
      name: notFound[2] as string,
    };
  const noKey = /couldn't find key (\S+) in (ConfigMap|Secret) [^/\s]+\/(\S+)/i.exec(message);
  if (noKey) {
    return {
      kind: noKey[2]?.toLowerCase() === "secret" ? "Secret" : "ConfigMap",
      name: noKey[3] as string,
      key: noKey[1] as string,
    };
  }
  return undefined;
}

export function describeMissing(m: MissingRef, ns: string): string {
  const what =
    m.key === undefined
      ? `${m.kind} "${m.name}" does not exist in namespace ${ns}`
      : `key "${m.key}" is missing from ${m.kind} ${ns}/${m.name}`;
  const hint = m.similar
    ? ` (a similarly named ${m.key === undefined ? m.kind : "key"} "${m.similar}" exists)`
    : "";
  const there = m.elsewhere?.length
    ? ` (it exists in namespace ${m.elsewhere.slice(0, 3).join(", ")}: a pod can only use its own namespace's)`
    : "";
  return `${what}${hint}${there}`;
}
