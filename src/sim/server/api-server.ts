/**
 * The simulator's Kubernetes REST + watch server over node:http: discovery, OpenAPI, CRUD,
 * patches, watch, Table output and the pod subresources kubectl and client-node use.
 * See shared notes "kubernetes-api-for-the-simulator" for the measured client behaviour.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../../core/clock.ts";
import type { LogStore } from "../log-store.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { ServerContext } from "./context.ts";
import { watchCrds } from "./crd-watcher.ts";
import { addHpaV1 } from "./hpa-v1.ts";
import { type Request, readBody, sendError } from "./http-util.ts";
import { dispatch } from "./router.ts";

export interface ApiServerDeps {
  store: ObjectStore;
  logs: LogStore;
  clock: Clock;
  /** Extra plain-text routes such as /metrics, served as-is. */
  extraRoutes?: Record<string, () => { contentType: string; body: string }>;
  /** How many requests the in-memory request log keeps (default 10,000). */
  requestLogSize?: number;
  /** BOOKMARK period for watches that allow them (default 5 s of wall time). */
  bookmarkIntervalMs?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  contentType: string;
  status: number;
  /** Wall-clock time the request arrived (ms since epoch) and how long it took. */
  time: number;
  durationMs: number;
}

export interface RunningApiServer {
  url: string;
  port: number;
  /** Requests served so far, oldest first (a copy). */
  requests(): RequestRecord[];
  clearRequests(): void;
  close(): Promise<void>;
}

export async function startApiServer(
  deps: ApiServerDeps,
  opts: { port?: number; host?: string } = {},
): Promise<RunningApiServer> {
  const ctx: ServerContext = {
    store: deps.store,
    logs: deps.logs,
    clock: deps.clock,
    streams: new Set(),
    bookmarkIntervalMs: deps.bookmarkIntervalMs ?? 5_000,
  };
  const log: RequestRecord[] = [];
  const logSize = deps.requestLogSize ?? 10_000;
  addHpaV1(deps.store.registry);
  const stopCrds = watchCrds(deps.store);
  const server = createServer((raw, res) => {
    void handle(ctx, deps, raw, res, (rec) => {
      log.push(rec);
      if (log.length > logSize) log.splice(0, log.length - logSize);
    });
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    requests: () => log.map((r) => ({ ...r })),
    clearRequests: () => {
      log.length = 0;
    },
    close: async () => {
      stopCrds();
      for (const close of [...ctx.streams]) close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(
  ctx: ServerContext,
  deps: ApiServerDeps,
  raw: IncomingMessage,
  res: ServerResponse,
  record: (r: RequestRecord) => void,
): Promise<void> {
  const started = Date.now();
  const url = new URL(raw.url ?? "/", "http://sim");
  const req: Request = {
    method: raw.method ?? "GET",
    path: url.pathname,
    query: url.searchParams,
    accept: raw.headers.accept ?? "",
    contentType: raw.headers["content-type"] ?? "",
    raw,
  };
  let logged = false;
  const done = () => {
    if (logged) return;
    logged = true;
    record({
      method: req.method,
      path: req.path,
      query: url.search.replace(/^\?/, ""),
      contentType: req.contentType,
      status: res.statusCode,
      time: started,
      durationMs: Date.now() - started,
    });
  };
  // Streams (watch, log -f) are logged when they end.
  res.on("finish", done);
  res.on("close", done);
  try {
    req.bodyBytes = await readBody(raw);
    req.body = req.bodyBytes.toString("utf8");
    await dispatch(ctx, deps, req, res);
    if (res.headersSent && !res.writableEnded && req.method !== "GET") res.end();
  } catch (e) {
    sendError(res, e);
  }
}
