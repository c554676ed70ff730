/**
 * The HTTP surface: every registry tool under `/api/v1`, the OpenAPI document generated from the
 * same schemas, health (`/healthz`), readiness (`/readyz`: informers synced), opsloop's own
 * metrics (`/metrics`), the live event stream and the dashboard. Other modules mount their own
 * routes through `extraRoutes` (e.g. the Alertmanager webhook) instead of editing this file.
 */
import { EventEmitter } from "node:events";
import { Hono } from "hono";
import type { Runtime, RuntimeEvents } from "../../agent/runtime.ts";
import type { RuntimeMetrics } from "../../agent/runtime-metrics.ts";
import type { SeriesBuffer } from "../../agent/runtime-series.ts";
import { OpsloopError } from "../../core/errors.ts";
import { roiReport } from "../../incidents/roi.ts";
import { alertmanagerRoutes } from "../../sources/alertmanager/routes.ts";
import type { ToolContext } from "../../tools/context.ts";
import { toolRegistry } from "../../tools/index.ts";
import type { ToolRegistry } from "../../tools/registry.ts";
import { mountDashboard } from "../web/assets.ts";
import { mountDashboardApi } from "./dashboard-api.ts";
import { openApiDocument } from "./openapi.ts";
import { problemResponse } from "./problem.ts";
import { type LiveEvents, mountStream } from "./stream.ts";
import { bearerOk, mountTools } from "./tool-routes.ts";

export interface ExtraRoute {
  /** Mount point, e.g. "/api/v1/alertmanager". */
  path: string;
  app: Hono;
  /** OpenAPI path items for the mounted routes, keyed by full path. */
  openapi?: Record<string, Record<string, unknown>>;
}

export interface HttpAppOptions {
  ctx: ToolContext;
  registry: ToolRegistry;
  /** Bearer token for write tools; without it the API is read-only. */
  token?: string;
  ready?: () => boolean;
  metrics?: RuntimeMetrics;
  /** Incident and action changes to forward to the live stream. */
  events?: EventEmitter<RuntimeEvents>;
  series?: SeriesBuffer;
  roi?: () => unknown;
  extraRoutes?: ExtraRoute[];
  /** Serve the web dashboard at `/` (default true). */
  dashboard?: boolean;
  /**
   * Host header names accepted (any port). Default: loopback names only, so a web page that
   * rebinds its own DNS name to 127.0.0.1 cannot read the API through the victim's browser.
   */
  allowedHosts?: string[];
}

const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];

/** `example.com:8787` → `example.com`, `[::1]:8787` → `[::1]`. */
function hostName(header: string): string {
  return header.startsWith("[")
    ? header.slice(0, header.indexOf("]") + 1)
    : (header.split(":")[0] ?? "");
}

export function createHttpApp(o: HttpAppOptions): Hono {
  const app = new Hono();
  const live = new EventEmitter<LiveEvents>();
  live.setMaxListeners(0);
  o.events?.on("incident", (e) => live.emit("incident", e));
  o.events?.on("action", (i, a) => live.emit("action", i, a));

  app.onError((e, c) => problemResponse(c, e));
  const hosts = new Set((o.allowedHosts ?? LOOPBACK).map((h) => h.toLowerCase()));
  app.use(async (c, next) => {
    const host = hostName((c.req.header("host") ?? "").toLowerCase());
    if (host && !hosts.has(host))
      return problemResponse(c, new OpsloopError("denied", `host ${host} is not served here`));
    await next();
  });
  app.notFound((c) =>
    c.json(
      {
        type: "about:blank",
        title: "not found",
        status: 404,
        detail: `no route ${c.req.path}`,
        code: "not_found",
      },
      404,
      { "content-type": "application/problem+json" },
    ),
  );
  app.get("/healthz", (c) => c.text("ok"));
  app.get("/readyz", (c) =>
    (o.ready?.() ?? true) ? c.text("ready") : c.text("informers not synced", 503),
  );
  app.get("/metrics", (c) =>
    c.text(o.metrics?.render() ?? "", 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    }),
  );
  mountTools(app, {
    ctx: o.ctx,
    registry: o.registry,
    token: o.token,
    metrics: o.metrics,
    onWrite: (tool) => live.emit("change", { tool }),
  });
  mountDashboardApi(app, {
    ctx: o.ctx,
    series: o.series,
    roi: o.roi,
    token: o.token,
    onWrite: (tool) => live.emit("change", { tool }),
  });
  mountStream(app, live);
  const extraPaths: Record<string, Record<string, unknown>> = {};
  for (const r of o.extraRoutes ?? []) {
    app.route(r.path, r.app);
    Object.assign(extraPaths, r.openapi ?? {});
  }
  const doc = openApiDocument(o.registry.list(), extraPaths);
  app.get("/api/v1/openapi.json", (c) => c.json(doc));
  if (o.dashboard ?? true) mountDashboard(app, { writable: !!o.token });
  return app;
}

export interface RuntimeHttpOptions {
  token?: string;
  /** Expose write tools (always behind the token and the guardrails). */
  allowWrite?: boolean;
  extraRoutes?: ExtraRoute[];
  dashboard?: boolean;
  roi?: () => unknown;
  allowedHosts?: string[];
}

/**
 * The Alertmanager webhook (`POST /api/v1/alerts`). Alerts open incidents, and incidents can
 * trigger runbooks, so with a token configured the webhook needs it too (Alertmanager sends it
 * with `http_config.authorization.credentials`).
 */
function alertWebhook(rt: Runtime, token: string | undefined): ExtraRoute {
  const app = new Hono();
  app.use("/api/v1/alerts", async (c, next) => {
    if (token && !bearerOk(c, token))
      return problemResponse(
        c,
        new OpsloopError("denied", 'the alert webhook needs "Authorization: Bearer <token>"'),
      );
    await next();
  });
  app.route("/", alertmanagerRoutes({ incidents: rt.incidents, clock: rt.clock }));
  return {
    path: "/",
    app,
    openapi: {
      "/api/v1/alerts": {
        post: {
          summary: "Alertmanager webhook receiver (webhook_configs); alerts join incidents",
          security: [{ bearer: [] }],
          responses: { "200": { description: "incidents the alerts belong to" } },
        },
      },
    },
  };
}

/** The app over a running `startRuntime()` loop, with the Alertmanager webhook and ROI report. */
export function createRuntimeHttpApp(rt: Runtime, o: RuntimeHttpOptions = {}): Hono {
  return createHttpApp({
    ctx: rt.ctx,
    registry: toolRegistry({ allowWrite: o.allowWrite ?? !!o.token }),
    token: o.token,
    ready: () => rt.ready(),
    metrics: rt.metrics,
    events: rt.events,
    series: rt.series,
    roi: o.roi ?? (() => roiReport(rt.db)),
    extraRoutes: [alertWebhook(rt, o.token), ...(o.extraRoutes ?? [])],
    dashboard: o.dashboard,
    allowedHosts: o.allowedHosts,
  });
}
