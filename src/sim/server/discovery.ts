/**
 * Discovery documents derived from the ResourceRegistry: legacy (APIVersions, APIGroupList,
 * APIResourceList per group-version) and aggregated (apidiscovery.k8s.io/v2), which kubectl
 * 1.32 asks for first. Drain always reads the legacy /api/v1 list for pods/eviction.
 */
import { apiVersionOf, type ResourceRegistry, type ResourceType } from "../store/resources.ts";

export const AGGREGATED_CONTENT_TYPE =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

interface SubresourceInfo {
  name: string;
  kind: string;
  group: string;
  version: string;
  verbs: string[];
}

/** What each subresource returns, as the real API server registers them. */
function subresourceInfo(r: ResourceType, sub: string): SubresourceInfo {
  switch (sub) {
    case "scale":
      return {
        name: sub,
        kind: "Scale",
        group: "autoscaling",
        version: "v1",
        verbs: ["get", "patch", "update"],
      };
    case "eviction":
      return { name: sub, kind: "Eviction", group: "policy", version: "v1", verbs: ["create"] };
    case "binding":
      return { name: sub, kind: "Binding", group: "", version: "v1", verbs: ["create"] };
    case "log":
      return { name: sub, kind: "Pod", group: "", version: "v1", verbs: ["get"] };
    default:
      return {
        name: sub,
        kind: r.kind,
        group: r.group,
        version: r.version,
        verbs: ["get", "patch", "update"],
      };
  }
}

export function groupVersions(registry: ResourceRegistry): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of registry.all()) {
    const vs = out.get(r.group) ?? [];
    if (!vs.includes(r.version)) vs.push(r.version);
    out.set(r.group, vs);
  }
  return out;
}

export function apiVersions(): Record<string, unknown> {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }],
  };
}

export function apiGroupList(registry: ResourceRegistry): Record<string, unknown> {
  const groups = [...groupVersions(registry)]
    .filter(([g]) => g !== "")
    .map(([name, versions]) => {
      const vs = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
      return { name, versions: vs, preferredVersion: vs[0] };
    });
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

export function apiResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const types = registry.all().filter((r) => r.group === group && r.version === version);
  if (types.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of types) {
    resources.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    for (const sub of r.subresources) {
      const s = subresourceInfo(r, sub);
      resources.push({
        name: `${r.resource}/${sub}`,
        singularName: "",
        namespaced: r.namespaced,
        ...(s.group !== group || s.version !== version
          ? { group: s.group, version: s.version }
          : {}),
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: apiVersionOf(types[0] as ResourceType),
    resources,
  };
}

function aggregatedResource(r: ResourceType): Record<string, unknown> {
  return {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? "Namespaced" : "Cluster",
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    ...(r.subresources.length
      ? {
          subresources: r.subresources.map((sub) => {
            const s = subresourceInfo(r, sub);
            return {
              subresource: sub,
              responseKind: { group: s.group, version: s.version, kind: s.kind },
              verbs: s.verbs,
            };
          }),
        }
      : {}),
  };
}

/** `core` selects /api (the legacy group only); otherwise /apis (every named group). */
export function aggregatedDiscovery(
  registry: ResourceRegistry,
  core: boolean,
): Record<string, unknown> {
  const items = [...groupVersions(registry)]
    .filter(([g]) => (core ? g === "" : g !== ""))
    .map(([name, versions]) => ({
      metadata: { name, creationTimestamp: null },
      versions: versions.map((version) => ({
        version,
        resources: registry
          .all()
          .filter((r) => r.group === name && r.version === version)
          .map(aggregatedResource),
        freshness: "Current",
      })),
    }));
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items,
  };
}

export function wantsAggregated(accept: string): boolean {
  return /g=apidiscovery\.k8s\.io;v=v2(;|,|$)/.test(accept.replace(/\s+/g, ""));
}

export function versionInfo(): Record<string, unknown> {
  return {
    major: "1",
    minor: "32",
    gitVersion: "v1.32.4",
    gitCommit: "59526cd4867447956156ae3a602fcbac10a2c335",
    gitTreeState: "clean",
    buildDate: "2025-04-22T16:02:27Z",
    goVersion: "go1.23.6",
    compiler: "gc",
    platform: "linux/amd64",
  };
}
