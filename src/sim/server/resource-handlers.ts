/** get, list, create, update, patch, delete and deletecollection on a resource route. */
import type { ServerResponse } from "node:http";
import { ApiError } from "../store/api-error.ts";
import type { DeleteOptions } from "../store/object-store.ts";
import type { KubeObject } from "../store/types.ts";
import { type Backing, backingFor, type ServerContext } from "./context.ts";
import {
  boolParam,
  intParam,
  isDryRun,
  parseJsonBody,
  type Request,
  sendJson,
  TABLE_ACCEPT,
} from "./http-util.ts";
import { applyPatch, parsePatchBody, patchTypeOf } from "./patch/apply-patch.ts";
import { decodeProtobufObject } from "./protobuf/decode.ts";
import type { ResourceRoute } from "./route.ts";
import { parseInclude, toTable } from "./tables/table.ts";
import { serveWatch } from "./watch.ts";

export async function serveResource(
  ctx: ServerContext,
  req: Request,
  res: ServerResponse,
  route: ResourceRoute,
): Promise<void> {
  const b = backingFor(ctx, route.type);
  const { name } = route;
  switch (req.method) {
    case "GET":
      if (name) return sendJson(res, 200, getOne(ctx, req, route, b));
      if (boolParam(req.query, "watch")) return serveWatch(ctx, req, res, route, b);
      return sendJson(res, 200, list(ctx, req, route, b));
    case "POST":
      if (name) break;
      return sendJson(res, 201, create(ctx, req, route, b));
    case "PUT":
      if (!name) break;
      return sendJson(res, 200, update(ctx, req, route, b, name));
    case "PATCH": {
      if (!name) break;
      const [code, obj] = patch(ctx, req, route, b, name);
      return sendJson(res, code, obj);
    }
    case "DELETE":
      if (name) return sendJson(res, 200, remove(ctx, req, route, b, name));
      return sendJson(res, 200, deleteCollection(ctx, req, route, b));
  }
  throw ApiError.methodNotAllowed();
}

function getOne(ctx: ServerContext, req: Request, route: ResourceRoute, b: Backing): unknown {
  const obj = ctx.store.mustGet(b.storage, route.namespace, route.name as string);
  if (TABLE_ACCEPT.test(req.accept)) {
    return toTable(route.type, [obj], ctx.clock.now(), { include: parseInclude(req.query) });
  }
  return b.toView(obj);
}

function sortKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
}

function list(ctx: ServerContext, req: Request, route: ResourceRoute, b: Backing): unknown {
  const q = req.query;
  const all = ctx.store
    .list(b.storage, {
      namespace: route.namespace,
      labelSelector: q.get("labelSelector") ?? undefined,
      fieldSelector: q.get("fieldSelector") ?? undefined,
    })
    .slice()
    .sort((x, y) => (sortKey(x) < sortKey(y) ? -1 : 1));
  // Paging by offset: the continue token is the next index; good enough for one consistent store.
  const start =
    Number(q.get("continue") ? Buffer.from(q.get("continue") as string, "base64").toString() : 0) ||
    0;
  const limit = intParam(q, "limit");
  const end = limit && limit > 0 ? Math.min(start + limit, all.length) : all.length;
  const page = all.slice(start, end);
  const rv = ctx.store.resourceVersion;
  const more =
    end < all.length
      ? {
          continue: Buffer.from(String(end)).toString("base64"),
          remainingItemCount: all.length - end,
        }
      : {};
  if (TABLE_ACCEPT.test(req.accept)) {
    const t = toTable(route.type, page, ctx.clock.now(), {
      include: parseInclude(q),
      resourceVersion: rv,
    });
    return { ...t, metadata: { resourceVersion: rv, ...more } };
  }
  const apiVersion = route.type.group
    ? `${route.type.group}/${route.type.version}`
    : route.type.version;
  return {
    kind: `${route.type.kind}List`,
    apiVersion,
    metadata: { resourceVersion: rv, ...more },
    items: page.map(b.toView),
  };
}

function bodyObject(req: Request): KubeObject {
  // kubectl's generators (create namespace, secret, deployment...) post protobuf.
  if (/protobuf/.test(req.contentType))
    return decodeProtobufObject(req.bodyBytes ?? Buffer.alloc(0));
  if (/cbor/.test(req.contentType)) {
    throw new ApiError(
      415,
      "UnsupportedMediaType",
      "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf",
    );
  }
  const body = parseJsonBody(req.body ?? "");
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw ApiError.badRequest("the body of the request must be an object");
  const o = body as KubeObject;
  o.metadata = o.metadata ?? {};
  return o;
}

function checkNamespace(route: ResourceRoute, obj: KubeObject): void {
  if (!route.type.namespaced) return;
  const ns = obj.metadata.namespace;
  if (ns && route.namespace && ns !== route.namespace) {
    throw ApiError.badRequest(
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  }
  obj.metadata.namespace = route.namespace ?? ns;
}

function create(ctx: ServerContext, req: Request, route: ResourceRoute, b: Backing): unknown {
  const obj = bodyObject(req);
  checkNamespace(route, obj);
  const created = ctx.store.create(b.storage, b.fromView(obj), { dryRun: isDryRun(req.query) });
  return b.toView(created);
}

function update(
  ctx: ServerContext,
  req: Request,
  route: ResourceRoute,
  b: Backing,
  name: string,
): unknown {
  const obj = bodyObject(req);
  checkNamespace(route, obj);
  if (obj.metadata.name && obj.metadata.name !== name) {
    throw ApiError.badRequest(
      `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  obj.metadata.name = name;
  const opts = { dryRun: isDryRun(req.query), subresource: route.subresource };
  return b.toView(ctx.store.update(b.storage, b.fromView(obj), opts));
}

/** Returns [status code, object]: server-side apply creates a missing object (201). */
export function patch(
  ctx: ServerContext,
  req: Request,
  route: ResourceRoute,
  b: Backing,
  name: string,
): [number, unknown] {
  const type = patchTypeOf(req.contentType);
  const body = parsePatchBody(type, req.body ?? "");
  const dryRun = isDryRun(req.query);
  const current = ctx.store.get(b.storage, route.namespace, name);
  if (!current) {
    if (type !== "apply") throw ApiError.notFound(route.type.resource, name, route.type.group);
    const obj = structuredClone(body) as KubeObject;
    obj.metadata = { ...(obj.metadata ?? {}), name };
    checkNamespace(route, obj);
    return [201, b.toView(ctx.store.create(b.storage, b.fromView(obj), { dryRun }))];
  }
  const patched = applyPatch(type, b.toView(current), body) as KubeObject;
  patched.metadata = { ...(patched.metadata ?? {}) };
  if (patched.metadata.name !== name) {
    throw ApiError.badRequest(
      `the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`,
    );
  }
  if (route.type.namespaced) patched.metadata.namespace = route.namespace;
  const opts = { dryRun, subresource: route.subresource };
  return [200, b.toView(ctx.store.update(b.storage, b.fromView(patched), opts))];
}

function deleteOptions(req: Request): DeleteOptions {
  const q = req.query;
  const body = req.body?.trim() ? (parseJsonBody(req.body) as Record<string, unknown>) : {};
  const grace =
    intParam(q, "gracePeriodSeconds") ?? (body.gracePeriodSeconds as number | undefined);
  const policy = (q.get("propagationPolicy") ??
    body.propagationPolicy) as DeleteOptions["propagationPolicy"];
  const dryRun = isDryRun(q) || (Array.isArray(body.dryRun) && body.dryRun.includes("All"));
  return {
    dryRun,
    ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
    ...(policy ? { propagationPolicy: policy } : {}),
    ...(body.preconditions
      ? { preconditions: body.preconditions as DeleteOptions["preconditions"] }
      : {}),
  };
}

function remove(
  ctx: ServerContext,
  req: Request,
  route: ResourceRoute,
  b: Backing,
  name: string,
): unknown {
  return b.toView(ctx.store.delete(b.storage, route.namespace, name, deleteOptions(req)));
}

function deleteCollection(
  ctx: ServerContext,
  req: Request,
  route: ResourceRoute,
  b: Backing,
): unknown {
  const opts = deleteOptions(req);
  const victims = ctx.store.list(b.storage, {
    namespace: route.namespace,
    labelSelector: req.query.get("labelSelector") ?? undefined,
    fieldSelector: req.query.get("fieldSelector") ?? undefined,
  });
  const items = victims.map((o) =>
    b.toView(ctx.store.delete(b.storage, o.metadata.namespace, o.metadata.name as string, opts)),
  );
  const apiVersion = route.type.group
    ? `${route.type.group}/${route.type.version}`
    : route.type.version;
  return {
    kind: `${route.type.kind}List`,
    apiVersion,
    metadata: { resourceVersion: ctx.store.resourceVersion },
    items,
  };
}
