/** Turns a scenario's manifests (YAML text or a list) into store objects, in a safe apply order. */
import { parseAllDocuments } from "yaml";
import { OpsloopError } from "../../core/errors.ts";
import { NODE_BEHAVIOUR_ANNOTATION, POD_BEHAVIOUR_ANNOTATION } from "../behaviour.ts";
import type { KubeObject } from "../store/types.ts";

// Like `kubectl apply -f dir/`, but ordered so references exist first (Helm's install order).
const KIND_ORDER = [
  "Namespace",
  "Node",
  "StorageClass",
  "PriorityClass",
  "ResourceQuota",
  "LimitRange",
  "ServiceAccount",
  "Secret",
  "ConfigMap",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Service",
  "PodDisruptionBudget",
];

export function parseManifests(input: string | Record<string, unknown>[]): KubeObject[] {
  const raw = typeof input === "string" ? parseYamlDocuments(input) : input;
  const objects = raw.filter((o) => o && typeof o === "object").map(checkManifest);
  return objects.map(normaliseBehaviour);
}

export function applyOrder(objects: KubeObject[]): KubeObject[] {
  const rank = (k: string) => {
    const i = KIND_ORDER.indexOf(k);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...objects].sort((a, b) => rank(a.kind) - rank(b.kind));
}

function parseYamlDocuments(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new OpsloopError("invalid_input", `invalid manifest YAML: ${doc.errors[0]?.message}`);
    }
    const v = doc.toJS() as unknown;
    if (v !== null && v !== undefined) out.push(v as Record<string, unknown>);
  }
  return out;
}

function checkManifest(o: Record<string, unknown>): KubeObject {
  const meta = o.metadata as { name?: unknown } | undefined;
  if (typeof o.apiVersion !== "string" || typeof o.kind !== "string" || !meta?.name) {
    throw new OpsloopError(
      "invalid_input",
      `manifest needs apiVersion, kind and metadata.name: ${JSON.stringify(o).slice(0, 120)}`,
    );
  }
  return o as unknown as KubeObject;
}

/**
 * Annotations are strings in Kubernetes; scenario authors may write the behaviour as a YAML
 * mapping for readability, so it is serialised here as the API would require.
 */
function normaliseBehaviour(o: KubeObject): KubeObject {
  const fix = (ann: Record<string, unknown> | undefined) => {
    if (!ann) return ann;
    const out = { ...ann };
    for (const key of [POD_BEHAVIOUR_ANNOTATION, NODE_BEHAVIOUR_ANNOTATION]) {
      const v = out[key];
      if (v !== undefined && typeof v !== "string") out[key] = JSON.stringify(v);
    }
    return out;
  };
  const copy = structuredClone(o) as KubeObject & {
    spec?: { template?: { metadata?: { annotations?: Record<string, unknown> } } };
  };
  copy.metadata.annotations = fix(copy.metadata.annotations) as Record<string, string>;
  const tmeta = copy.spec?.template?.metadata;
  if (tmeta?.annotations) tmeta.annotations = fix(tmeta.annotations);
  return copy;
}
