/**
 * Read-only access to any Kubernetes resource for the cluster tools: a raw GET through
 * client-node's auth and TLS handling (so objects keep their wire JSON, which typed clients
 * rename), and discovery that resolves "pods", "deploy", "Deployment" or "deployments.apps" to a
 * path the way kubectl's RESTMapper does (plural, singular, kind, short names, resource.group).
 */
import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  RequestContext,
} from "@kubernetes/client-node";
import { OpsloopError } from "../core/errors.ts";
import type { ToolContext } from "./context.ts";

const http = new IsomorphicFetchHttpLibrary();

type Query = Record<string, string | number | boolean | undefined>;

/** GET a path; JSON unless `text` is asked for. Kubernetes Status errors become OpsloopErrors. */
export async function kubeGet(kc: KubeConfig, path: string, query: Query = {}): Promise<unknown> {
  return JSON.parse(await kubeGetText(kc, path, query, "application/json"));
}

export async function kubeGetText(
  kc: KubeConfig,
  path: string,
  query: Query = {},
  accept = "text/plain",
): Promise<string> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new OpsloopError("invalid_input", "the kubeconfig has no current cluster");
  const req = new RequestContext(`${server.replace(/\/$/, "")}${path}`, HttpMethod.GET);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) req.setQueryParam(k, String(v));
  req.setHeaderParam("Accept", accept);
  await kc.applySecurityAuthentication(req);
  let status: number;
  let body: string;
  try {
    const res = await http.send(req).toPromise();
    status = res.httpStatusCode;
    body = await res.body.text();
  } catch (e) {
    throw new OpsloopError("unavailable", `Kubernetes API unreachable: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (status >= 200 && status < 300) return body;
  throw statusError(status, body);
}

function statusError(status: number, body: string): OpsloopError {
  let message = `HTTP ${status}`;
  try {
    const s = JSON.parse(body) as { message?: string };
    if (s.message) message = s.message;
  } catch {
    if (body.trim()) message = body.trim().slice(0, 300);
  }
  const code =
    status === 404
      ? "not_found"
      : status === 400 || status === 422
        ? "invalid_input"
        : status === 401 || status === 403
          ? "denied"
          : status === 409
            ? "conflict"
            : "unavailable";
  return new OpsloopError(code, `Kubernetes API: ${message}`);
}

export interface ApiResource {
  group: string;
  version: string;
  /** Plural resource name, e.g. deployments. */
  name: string;
  kind: string;
  namespaced: boolean;
  singular: string;
  shortNames: string[];
}

interface RawResource {
  name: string;
  kind: string;
  namespaced: boolean;
  singularName?: string;
  shortNames?: string[];
  verbs?: string[];
}

const discoveryCache = new WeakMap<KubeConfig, Promise<ApiResource[]>>();

/** Every listable top-level resource at its group's preferred version; cached per kubeconfig. */
export function discover(kc: KubeConfig): Promise<ApiResource[]> {
  let p = discoveryCache.get(kc);
  if (!p) {
    p = discoverNow(kc);
    // A failed discovery is retried on the next call rather than cached.
    p.catch(() => discoveryCache.delete(kc));
    discoveryCache.set(kc, p);
  }
  return p;
}

async function discoverNow(kc: KubeConfig): Promise<ApiResource[]> {
  const groups = (await kubeGet(kc, "/apis")) as {
    groups: { name: string; preferredVersion?: { version: string } }[];
  };
  const lists = await Promise.all([
    resourcesAt(kc, "/api/v1", "", "v1"),
    ...groups.groups
      .filter((g) => g.preferredVersion)
      .map((g) => {
        const v = g.preferredVersion?.version ?? "";
        // An unavailable aggregated API (metrics-server down) hides only its own kinds, as
        // kubectl's "couldn't get resource list for metrics.k8s.io/v1beta1" does.
        return resourcesAt(kc, `/apis/${g.name}/${v}`, g.name, v).catch(() => []);
      }),
  ]);
  return lists.flat();
}

async function resourcesAt(
  kc: KubeConfig,
  path: string,
  group: string,
  version: string,
): Promise<ApiResource[]> {
  const list = (await kubeGet(kc, path)) as { resources: RawResource[] };
  return list.resources
    .filter((r) => !r.name.includes("/") && (r.verbs ?? ["list"]).includes("list"))
    .map((r) => ({
      group,
      version,
      name: r.name,
      kind: r.kind,
      namespaced: r.namespaced,
      singular: r.singularName || r.kind.toLowerCase(),
      shortNames: r.shortNames ?? [],
    }));
}

/** kubectl's resource argument: name, singular, short name or kind, optionally `.group`. */
export async function resolveResource(kc: KubeConfig, arg: string): Promise<ApiResource> {
  const all = await discover(kc);
  const want = arg.trim().toLowerCase();
  const dot = want.indexOf(".");
  const head = dot < 0 ? want : want.slice(0, dot);
  const group = dot < 0 ? undefined : want.slice(dot + 1);
  const named = (r: ApiResource) =>
    r.name === head ||
    r.singular === head ||
    r.kind.toLowerCase() === head ||
    r.shortNames.includes(head);
  const candidates = all.filter(
    (r) =>
      named(r) && (group === undefined || r.group === group || r.group.startsWith(`${group}.`)),
  );
  // Core and the built-in groups win over CRDs with the same short name, as in kubectl's priority.
  const best =
    candidates.find((r) => r.group === "") ??
    candidates.find((r) => !r.group.includes(".")) ??
    candidates[0];
  if (!best)
    throw new OpsloopError(
      "invalid_input",
      `the server doesn't have a resource type "${arg}" (try list_resources with kind "pods", "deployments.apps", or a CRD plural)`,
    );
  return best;
}

export function resourcePath(r: ApiResource, namespace?: string, name?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${r.name}${name ? `/${encodeURIComponent(name)}` : ""}`;
}

/** The kubeconfig the cluster tools read through, or a clear error when none was given. */
export function kubeOf(ctx: ToolContext): KubeConfig {
  if (!ctx.kube)
    throw new OpsloopError(
      "unavailable",
      "no Kubernetes connection: start opsloop with --kubeconfig (or in-cluster credentials)",
    );
  return ctx.kube;
}
