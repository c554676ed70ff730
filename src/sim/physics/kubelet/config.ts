/**
 * What the kubelet needs from the API before it can start a container: the environment
 * (envFrom, env valueFrom) and the pod's volumes, with the kubelet's exact error strings
 * (kubelet_pods.go makeEnvironmentVariables; configmap/secret volume plugins).
 */
import type { ObjectStore } from "../../store/object-store.ts";
import type { KubeObject } from "../../store/types.ts";
import type { ContainerSpec } from "../pod-util.ts";

const ROOT_CA = "kube-root-ca.crt";

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; message: string };

function data(obj: KubeObject, secret: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) {
    out[k] = secret ? Buffer.from(v, "base64").toString("utf8") : v;
  }
  for (const [k, v] of Object.entries((obj.stringData ?? {}) as Record<string, string>)) out[k] = v;
  return out;
}

function source(
  store: ObjectStore,
  ns: string,
  kind: "configmap" | "secret",
  name: string,
): Record<string, string> | undefined {
  const obj = store.get(kind === "configmap" ? "configmaps" : "secrets", ns, name);
  if (obj) return data(obj, kind === "secret");
  // kube-controller-manager's root-ca-cert-publisher keeps this ConfigMap in every namespace;
  // manifests exported from real clusters mount it through the kube-api-access volume.
  if (kind === "configmap" && name === ROOT_CA) return { "ca.crt": "" };
  return undefined;
}

function fieldValue(
  pod: KubeObject,
  path: string,
  extra: { podIP?: string; hostIP?: string },
): string {
  const map: Record<string, string | undefined> = {
    "metadata.name": pod.metadata.name,
    "metadata.namespace": pod.metadata.namespace,
    "metadata.uid": pod.metadata.uid,
    "spec.nodeName": pod.spec?.nodeName,
    "spec.serviceAccountName": pod.spec?.serviceAccountName ?? "default",
    "status.podIP": extra.podIP,
    "status.hostIP": extra.hostIP,
  };
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m)
    return (
      (pod.metadata[m[1] as "labels"] as Record<string, string> | undefined)?.[m[2] as string] ?? ""
    );
  return map[path] ?? "";
}

/**
 * `$(VAR)` references in env values, command and args, as the kubelet expands them
 * (third_party/forked/golang/expansion): unknown names stay as written, `$$` escapes.
 */
export function expandRefs(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n: string | undefined) =>
    n === undefined ? "$" : (env[n] ?? m),
  );
}

export function resolveEnv(
  store: ObjectStore,
  pod: KubeObject,
  c: ContainerSpec,
  extra: { podIP?: string; hostIP?: string },
): EnvResult {
  const ns = pod.metadata.namespace as string;
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const kind = from.configMapRef ? "configmap" : "secret";
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const values = source(store, ns, kind, ref.name);
    if (!values) {
      if (ref.optional) continue;
      return { ok: false, message: `${kind} "${ref.name}" not found` };
    }
    for (const [k, v] of Object.entries(values)) env[`${from.prefix ?? ""}${k}`] = v;
  }
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) {
      env[e.name] = expandRefs(e.value ?? "", env);
      continue;
    }
    if (vf.fieldRef) {
      env[e.name] = fieldValue(pod, vf.fieldRef.fieldPath, extra);
      continue;
    }
    const ref = vf.configMapKeyRef ?? vf.secretKeyRef;
    if (!ref) continue;
    const kind = vf.configMapKeyRef ? "configmap" : "secret";
    const values = source(store, ns, kind, ref.name);
    if (!values) {
      if (ref.optional) continue;
      return { ok: false, message: `${kind} "${ref.name}" not found` };
    }
    const v = values[ref.key];
    if (v === undefined) {
      if (ref.optional) continue;
      const kindName = kind === "configmap" ? "ConfigMap" : "Secret";
      return {
        ok: false,
        message: `couldn't find key ${ref.key} in ${kindName} ${ns}/${ref.name}`,
      };
    }
    env[e.name] = v;
  }
  return { ok: true, env };
}

// biome-ignore lint/suspicious/noExplicitAny: volume sources are JSON.
function checkSource(store: ObjectStore, ns: string, src: any): string | undefined {
  const cm = src.configMap;
  const sec = src.secret;
  if (cm) {
    const values = source(store, ns, "configmap", cm.name);
    if (!values) return cm.optional ? undefined : `configmap "${cm.name}" not found`;
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    const missing = (cm.items ?? []).find((i: any) => values[i.key] === undefined);
    if (missing && !cm.optional)
      return `configmap references non-existent config key: ${missing.key}`;
  }
  if (sec) {
    const name = sec.secretName ?? sec.name;
    const values = source(store, ns, "secret", name);
    if (!values) return sec.optional ? undefined : `secret "${name}" not found`;
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    const missing = (sec.items ?? []).find((i: any) => values[i.key] === undefined);
    if (missing && !sec.optional) return `references non-existent secret key: ${missing.key}`;
  }
  return undefined;
}

/** The first volume that cannot be set up, as the FailedMount event words it. */
export function volumeError(store: ObjectStore, pod: KubeObject): string | undefined {
  const ns = pod.metadata.namespace as string;
  for (const v of pod.spec?.volumes ?? []) {
    const pvc = v.persistentVolumeClaim?.claimName;
    if (pvc) {
      const claim = store.get("persistentvolumeclaims", ns, pvc);
      if (claim?.status?.phase !== "Bound") {
        const why = claim
          ? `PVC ${ns}/${pvc} is not bound`
          : `persistentvolumeclaim "${pvc}" not found`;
        return `Unable to attach or mount volumes: unmounted volumes=[${v.name}], unattached volumes=[${v.name}]: error processing PVC ${ns}/${pvc}: ${why}`;
      }
      continue;
    }
    const sources = v.projected ? (v.projected.sources ?? []) : [v];
    for (const s of sources) {
      const err = checkSource(store, ns, s);
      if (err) return `MountVolume.SetUp failed for volume "${v.name}" : ${err}`;
    }
  }
  return undefined;
}
