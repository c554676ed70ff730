/**
 * The smallest OpenAPI v3 that lets kubectl apply/create validate with --validate=strict:
 * cli-runtime's queryParamVerifierV3 (staging/src/k8s.io/cli-runtime/pkg/resource/
 * query_param_verifier_v3.go) looks for a `patch` operation with the resource's
 * x-kubernetes-group-version-kind and a `fieldValidation` parameter, then leaves validation to
 * the server. Empty `components.schemas` makes client-side apply fall back to compiled-in types.
 */
import { createHash } from "node:crypto";
import type { ResourceRegistry, ResourceType } from "../store/resources.ts";
import { groupVersions } from "./discovery.ts";

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiGvDocument(
  registry: ResourceRegistry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const types = registry.all().filter((r) => r.group === group && r.version === version);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of types) paths[itemPath(r)] = { patch: patchOperation(r) };
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.4" },
    paths,
    components: { schemas: {} },
  };
}

function itemPath(r: ResourceType): string {
  const ns = r.namespaced ? "/namespaces/{namespace}" : "";
  return `/${gvPath(r.group, r.version)}${ns}/${r.resource}/{name}`;
}

function patchOperation(r: ResourceType): Record<string, unknown> {
  const q = (name: string) => ({
    name,
    in: "query",
    schema: { type: "string", uniqueItems: true },
  });
  return {
    operationId: `patch${r.kind}`,
    parameters: [q("dryRun"), q("fieldManager"), q("fieldValidation"), q("force")],
    responses: { "200": { description: "OK" } },
    "x-kubernetes-action": "patch",
    "x-kubernetes-group-version-kind": { group: r.group, version: r.version, kind: r.kind },
  };
}

function hashOf(doc: unknown): string {
  return createHash("sha512").update(JSON.stringify(doc)).digest("hex").slice(0, 128).toUpperCase();
}

export function openApiRoot(registry: ResourceRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [group, versions] of groupVersions(registry)) {
    for (const version of versions) {
      const p = gvPath(group, version);
      const hash = hashOf(openApiGvDocument(registry, group, version));
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
    }
  }
  return { paths };
}

/** `/openapi/v3/api/v1` or `/openapi/v3/apis/apps/v1` → the group-version document. */
export function openApiForPath(registry: ResourceRegistry, path: string): unknown {
  const parts = path.replace(/^\/openapi\/v3\//, "").split("/");
  if (parts[0] === "api" && parts.length === 2)
    return openApiGvDocument(registry, "", parts[1] as string);
  if (parts[0] === "apis" && parts.length === 3)
    return openApiGvDocument(registry, parts[1] as string, parts[2] as string);
  return undefined;
}
