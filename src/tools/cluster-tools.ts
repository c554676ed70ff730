/**
 * Read tools over the live cluster: overview, any resource (list/get with projection and
 * pagination), events and bounded pod logs. All read through the API server (GET only), redact
 * secrets before anything leaves, fit a budget, and mark their payload `untrusted: true`: object
 * fields, event messages and log lines are written by whoever runs in the cluster, so a model
 * must treat them as data, never as instructions (docs/mcp.md).
 */
import { z } from "zod";
import { redactObject } from "../core/redact.ts";
import { DEFAULT_MAX_BYTES, decodeCursor, encodeCursor, fitItems, project } from "./budget.ts";
import { EVENT_TOOLS } from "./cluster-events-logs.ts";
import { kubeGet, kubeOf, resolveResource, resourcePath } from "./cluster-kube.ts";
import { clusterOverview, OverviewSchema } from "./cluster-overview.ts";
import { defineTool, type Tool } from "./registry.ts";

export const READ_CLUSTER = {
  readOnly: true,
  destructive: false,
  idempotent: true,
  openWorld: true,
};

type Obj = Record<string, unknown>;

/** managedFields and last-applied copies are bulk without diagnostic value; drop them first. */
export function slim(obj: Obj): Obj {
  const meta = obj.metadata as Obj | undefined;
  if (!meta) return obj;
  const { managedFields: _m, ...rest } = meta;
  const ann = rest.annotations as Record<string, string> | undefined;
  if (ann?.["kubectl.kubernetes.io/last-applied-configuration"] !== undefined) {
    const { "kubectl.kubernetes.io/last-applied-configuration": _l, ...others } = ann;
    rest.annotations = others;
  }
  return { ...obj, metadata: rest };
}

/**
 * What may leave: slimmed, then redacted with its kind known (list items come without `kind`,
 * and redaction of Secret data keys off it). ConfigMaps often hold credentials by mistake, so
 * their values under key-like names (DB_PASSWORD, api-token) are masked as env values are.
 */
export function cleanObject(obj: Obj, kind: string): Obj {
  return redactObject(slim({ ...obj, kind }));
}

const getClusterOverview = defineTool({
  name: "get_cluster_overview",
  title: "Cluster overview",
  description:
    "Nodes (ready, capacity), namespaces, workload health counts (deployments, statefulsets, daemonsets, pods by phase, crash-looping) and the number of current problems and open incidents. Start here.",
  input: z.object({}).strict(),
  output: OverviewSchema,
  annotations: READ_CLUSTER,
  run: (ctx) => clusterOverview(ctx, kubeOf(ctx)),
});

const ListInput = z
  .object({
    kind: z
      .string()
      .min(1)
      .describe(
        'Resource type as kubectl takes it: "pods", "deploy", "Deployment", "deployments.apps", a CRD plural',
      ),
    namespace: z.string().optional().describe("Namespace; all namespaces when absent"),
    labelSelector: z.string().optional().describe('e.g. "app=web,tier!=cache"'),
    fieldSelector: z
      .string()
      .optional()
      .describe('e.g. "status.phase=Running" or "spec.nodeName=n1"'),
    fields: z
      .array(z.string())
      .max(30)
      .optional()
      .describe(
        'Return only these fields per item, e.g. ["metadata.name","status.phase","spec.containers[*].image"]; whole objects when absent',
      ),
    limit: z.number().int().min(1).max(500).default(50),
    continue: z.string().optional().describe("The continue token of the previous page"),
  })
  .strict();

const ListOutput = z.object({
  kind: z.string(),
  apiVersion: z.string(),
  items: z.array(z.record(z.string(), z.unknown())),
  returned: z.number(),
  truncated: z.boolean(),
  continue: z.string().optional(),
  note: z.string().optional(),
  untrusted: z.literal(true),
});

const listResources = defineTool({
  name: "list_resources",
  title: "List resources",
  description:
    "Lists any resource kind (discovered from the API server) in a namespace or cluster-wide, with label/field selectors, field projection and pagination (limit + continue). Secret data is redacted.",
  input: ListInput,
  output: ListOutput,
  annotations: READ_CLUSTER,
  run: async (ctx, input) => {
    const kc = kubeOf(ctx);
    const res = await resolveResource(kc, input.kind);
    const cursor = input.continue
      ? decodeCursor(input.continue)
      : { limit: input.limit, offset: 0, serverContinue: undefined };
    const page = (await kubeGet(kc, resourcePath(res, input.namespace), {
      labelSelector: input.labelSelector,
      fieldSelector: input.fieldSelector,
      limit: cursor.limit,
      continue: cursor.serverContinue,
    })) as { items?: Obj[]; metadata?: { continue?: string } };
    const rest = (page.items ?? []).slice(cursor.offset);
    const shaped = rest.map((o) =>
      input.fields ? project(cleanObject(o, res.kind), input.fields) : cleanObject(o, res.kind),
    );
    const items = fitItems(shaped, cursor.limit, DEFAULT_MAX_BYTES);
    const cutInPage = items.length < rest.length;
    const next = cutInPage
      ? encodeCursor({ ...cursor, offset: cursor.offset + items.length })
      : page.metadata?.continue
        ? encodeCursor({ serverContinue: page.metadata.continue, limit: cursor.limit, offset: 0 })
        : undefined;
    return {
      kind: res.kind,
      apiVersion: res.group ? `${res.group}/${res.version}` : res.version,
      items,
      returned: items.length,
      truncated: next !== undefined,
      ...(next ? { continue: next } : {}),
      ...(cutInPage && !input.fields
        ? { note: "page cut to fit the output budget; pass `fields` to see more items per page" }
        : {}),
      untrusted: true as const,
    };
  },
});

const getResource = defineTool({
  name: "get_resource",
  title: "Get resource",
  description:
    "One object of any kind by name, optionally projected to some fields. Secret data and key-like env values are redacted.",
  input: z
    .object({
      kind: ListInput.shape.kind,
      name: z.string().min(1),
      namespace: z
        .string()
        .optional()
        .describe('Namespace of a namespaced kind (default "default")'),
      fields: ListInput.shape.fields,
    })
    .strict(),
  output: z.object({
    kind: z.string(),
    apiVersion: z.string(),
    object: z.record(z.string(), z.unknown()),
    truncated: z.boolean(),
    untrusted: z.literal(true),
  }),
  annotations: READ_CLUSTER,
  run: async (ctx, input) => {
    const kc = kubeOf(ctx);
    const res = await resolveResource(kc, input.kind);
    const ns = res.namespaced ? (input.namespace ?? "default") : undefined;
    const raw = (await kubeGet(kc, resourcePath(res, ns, input.name))) as Obj;
    // Redact the whole object before projecting, so no path can reach around the redaction.
    const clean = cleanObject(raw, res.kind);
    let object = input.fields ? project(clean, input.fields) : clean;
    const truncated = JSON.stringify(object).length > DEFAULT_MAX_BYTES * 2;
    if (truncated) {
      // A huge object (a ConfigMap of dashboards, a CRD schema): keep its identity and status.
      object = project(object, ["apiVersion", "kind", "metadata", "status"]);
    }
    return {
      kind: res.kind,
      apiVersion: res.group ? `${res.group}/${res.version}` : res.version,
      object,
      truncated,
      untrusted: true as const,
    };
  },
});

export const CLUSTER_TOOLS: Tool[] = [
  getClusterOverview,
  listResources,
  getResource,
  ...EVENT_TOOLS,
] as Tool[];
