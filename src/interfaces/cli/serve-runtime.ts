/**
 * Serves a running loop over HTTP for `opsloop run` and `opsloop demo`: the API and dashboard on
 * 127.0.0.1 with a bearer token for writes. The dashboard link carries the token in the URL
 * fragment (never sent to the server, cleared from the address bar by the page), as Jupyter does.
 */
import { randomBytes } from "node:crypto";
import type { Runtime } from "../../agent/runtime.ts";
import { createRuntimeHttpApp, type ExtraRoute } from "../http/app.ts";
import { type HttpServer, startHttpServer } from "../http/server.ts";

export interface ServedRuntime {
  http: HttpServer;
  token: string;
  /** The dashboard link with its token, for the person who started opsloop. */
  dashboardUrl: string;
}

export async function serveRuntime(
  rt: Runtime,
  o: { port?: number; host?: string; token?: string; extraRoutes?: ExtraRoute[] } = {},
): Promise<ServedRuntime> {
  const token = o.token ?? randomBytes(24).toString("base64url");
  // Remote-write (POST /api/v1/write) and OTLP (POST /v1/metrics) feed the live detectors.
  const ingest: ExtraRoute = { path: "/", app: rt.detection.ingest };
  const app = createRuntimeHttpApp(rt, {
    token,
    allowWrite: true,
    extraRoutes: [...(o.extraRoutes ?? []), ingest],
  });
  const http = await startHttpServer(app, { port: o.port ?? 0, host: o.host });
  return { http, token, dashboardUrl: `${http.url}/#token=${token}` };
}
