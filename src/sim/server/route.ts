/**
 * Turns a REST path into the resource it names, the way the API server's request-info
 * resolver does (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go):
 * /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]] and the same under /apis/{g}/{v}.
 */
import type { ResourceRegistry, ResourceType } from "../store/resources.ts";

export interface ResourceRoute {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

export type ParsedPath =
  | { kind: "resource"; route: ResourceRoute }
  | { kind: "group-version"; group: string; version: string }
  | { kind: "unknown-resource"; group: string; version: string; resource: string }
  | { kind: "none" };

export function parseResourcePath(path: string, registry: ResourceRegistry): ParsedPath {
  const parts = path
    .split("/")
    .filter((p) => p.length > 0)
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 2) {
    group = "";
    version = parts[1] as string;
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 3) {
    group = parts[1] as string;
    version = parts[2] as string;
    rest = parts.slice(3);
  } else return { kind: "none" };
  if (rest.length === 0) return { kind: "group-version", group, version };
  let namespace: string | undefined;
  // namespaces/{ns}/{resource}... but namespaces/{name}/status|finalize is the namespace itself.
  if (rest[0] === "namespaces" && rest.length >= 3 && !(group === "" && isNsSub(rest))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest as [string, string?, string?];
  if (rest.length > 3) return { kind: "none" };
  const type = registry.lookup(group, version, resource);
  if (!type) return { kind: "unknown-resource", group, version, resource };
  return { kind: "resource", route: { type, namespace, name, subresource } };
}

function isNsSub(rest: string[]): boolean {
  return rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize");
}
