/** The autoscaling/v1 Scale subresource of deployments, replicasets and statefulsets. */
import type { ServerResponse } from "node:http";
import { ApiError } from "../../store/api-error.ts";
import type { KubeObject } from "../../store/types.ts";
import type { ServerContext } from "../context.ts";
import { isDryRun, parseJsonBody, type Request, sendJson } from "../http-util.ts";
import { applyPatch, parsePatchBody, patchTypeOf } from "../patch/apply-patch.ts";
import type { ResourceRoute } from "../route.ts";
import { selectorString } from "../tables/table-util.ts";

function toScale(o: KubeObject): KubeObject {
  const sel = selectorString(o.spec?.selector);
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, ...(sel !== "<none>" ? { selector: sel } : {}) },
  };
}

export function serveScale(
  ctx: ServerContext,
  req: Request,
  res: ServerResponse,
  route: ResourceRoute,
): void {
  const t = route.type;
  const name = route.name as string;
  const current = ctx.store.mustGet(t, route.namespace, name);
  if (req.method === "GET") {
    sendJson(res, 200, toScale(current));
    return;
  }
  let wanted: KubeObject;
  if (req.method === "PUT") wanted = parseJsonBody(req.body ?? "") as KubeObject;
  else if (req.method === "PATCH") {
    const type = patchTypeOf(req.contentType);
    wanted = applyPatch(type, toScale(current), parsePatchBody(type, req.body ?? "")) as KubeObject;
  } else throw ApiError.methodNotAllowed();
  const replicas = wanted.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw ApiError.invalid(
      "Scale",
      name,
      `spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`,
    );
  }
  const rv = wanted.metadata?.resourceVersion;
  if (req.method === "PUT" && rv && rv !== current.metadata.resourceVersion)
    throw ApiError.conflict(t.resource, name, t.group);
  const updated = ctx.store.mutate(
    t,
    route.namespace,
    name,
    (d) => {
      d.spec = { ...(d.spec ?? {}), replicas };
    },
    { dryRun: isDryRun(req.query) },
  );
  sendJson(res, 200, toScale(updated));
}
