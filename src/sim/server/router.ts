/** Top-level dispatch: health, version, discovery, OpenAPI, admin, extra routes, resources. */
import type { ServerResponse } from "node:http";
import { ApiError } from "../store/api-error.ts";
import type { ApiServerDeps } from "./api-server.ts";
import type { ServerContext } from "./context.ts";
import {
  AGGREGATED_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
  wantsAggregated,
} from "./discovery.ts";
import { type Request, sendJson, sendText, statusSuccess } from "./http-util.ts";
import { openApiForPath, openApiRoot } from "./openapi.ts";
import { serveResource } from "./resource-handlers.ts";
import { parseResourcePath, type ResourceRoute } from "./route.ts";
import { serveBinding, serveEviction } from "./subresources/eviction.ts";
import { serveLog } from "./subresources/log.ts";
import { serveScale } from "./subresources/scale.ts";

function notFound(path: string): ApiError {
  return new ApiError(404, "NotFound", `the server could not find the requested resource`, {
    path,
  });
}

export async function dispatch(
  ctx: ServerContext,
  deps: ApiServerDeps,
  req: Request,
  res: ServerResponse,
): Promise<void> {
  const { path } = req;
  const registry = ctx.store.registry;
  if (path === "/healthz" || path === "/readyz" || path === "/livez")
    return sendText(res, 200, "ok");
  if (path === "/version") return sendJson(res, 200, versionInfo());
  const extra = deps.extraRoutes?.[path];
  if (extra) {
    const r = extra();
    return sendText(res, 200, r.body, r.contentType);
  }
  if (path.startsWith("/__sim/")) return serveAdmin(ctx, req, res);
  if (path === "/api" || path === "/apis") {
    if (wantsAggregated(req.accept)) {
      const body = JSON.stringify(aggregatedDiscovery(registry, path === "/api"));
      res.writeHead(200, {
        "Content-Type": AGGREGATED_CONTENT_TYPE,
        "Content-Length": Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    return sendJson(res, 200, path === "/api" ? apiVersions() : apiGroupList(registry));
  }
  if (path === "/openapi/v3") return sendJson(res, 200, openApiRoot(registry));
  if (path.startsWith("/openapi/v3/")) {
    const doc = openApiForPath(registry, path);
    if (!doc) throw notFound(path);
    return sendJson(res, 200, doc);
  }
  const parsed = parseResourcePath(path, registry);
  switch (parsed.kind) {
    case "group-version": {
      const list = apiResourceList(registry, parsed.group, parsed.version);
      if (!list) throw notFound(path);
      return sendJson(res, 200, list);
    }
    case "resource":
      return serveRoute(ctx, req, res, parsed.route);
    default:
      throw notFound(path);
  }
}

async function serveRoute(
  ctx: ServerContext,
  req: Request,
  res: ServerResponse,
  route: ResourceRoute,
): Promise<void> {
  const sub = route.subresource;
  if (sub === undefined) return serveResource(ctx, req, res, route);
  if (!route.type.subresources.includes(sub)) throw notFound(req.path);
  switch (sub) {
    case "log":
      return serveLog(ctx, req, res, route);
    case "eviction":
      return serveEviction(ctx, req, res, route);
    case "binding":
      return serveBinding(ctx, req, res, route);
    case "scale":
      return serveScale(ctx, req, res, route);
    default:
      if (req.method === "POST" || req.method === "DELETE") {
        throw ApiError.methodNotAllowed();
      }
      return serveResource(ctx, req, res, route);
  }
}

function serveAdmin(ctx: ServerContext, req: Request, res: ServerResponse): void {
  if (req.method !== "POST")
    throw new ApiError(405, "MethodNotAllowed", "admin endpoints take POST");
  const closeAll = () => {
    for (const close of [...ctx.streams]) close();
  };
  switch (req.path) {
    case "/__sim/compact":
      ctx.store.compact();
      closeAll();
      sendJson(res, 200, statusSuccess());
      return;
    case "/__sim/close-watches":
      closeAll();
      sendJson(res, 200, statusSuccess());
      return;
    default:
      throw notFound(req.path);
  }
}
