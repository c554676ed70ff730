/**
 * Serves custom resources generically: a CustomResourceDefinition created in the store adds
 * its served versions to the registry (so discovery, OpenAPI and routing pick them up); a
 * deleted one removes them.
 */
import type { ObjectStore } from "../store/object-store.ts";
import type { ResourceType } from "../store/resources.ts";
import type { KubeObject } from "../store/types.ts";

// biome-ignore lint/suspicious/noExplicitAny: CRD JSON is open-ended.
type Any = any;

export function crdResourceTypes(crd: KubeObject): ResourceType[] {
  const spec: Any = crd.spec ?? {};
  const names: Any = spec.names ?? {};
  if (!spec.group || !names.plural || !names.kind) return [];
  return (spec.versions ?? [])
    .filter((v: Any) => v.served !== false)
    .map((v: Any) => ({
      group: spec.group,
      version: v.name,
      resource: names.plural,
      kind: names.kind,
      singular: names.singular ?? String(names.kind).toLowerCase(),
      namespaced: spec.scope !== "Cluster",
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      subresources: [
        ...(v.subresources?.status ? ["status"] : []),
        ...(v.subresources?.scale ? ["scale"] : []),
      ],
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    }));
}

/** Returns the unsubscribe function. */
export function watchCrds(store: ObjectStore): () => void {
  const registry = store.registry;
  return store.watch("customresourcedefinitions.apiextensions.k8s.io", {}, (ev) => {
    const types = crdResourceTypes(ev.object);
    const first = types[0];
    if (!first) return;
    registry.remove(first.group, first.resource);
    if (ev.type === "DELETED") return;
    for (const t of types) registry.add(t);
  });
}
