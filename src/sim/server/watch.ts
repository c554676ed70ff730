/**
 * Watch over HTTP: chunked newline-delimited JSON, headers flushed at once (kubectl -w and
 * client-node wait for them), a too-old resourceVersion as an ERROR event with a 410 Status
 * followed by closing the stream (client-node then re-lists), optional BOOKMARKs, and
 * timeoutSeconds. Unsubscribes on res 'close' (req 'close' fires after the body is read).
 */
import type { ServerResponse } from "node:http";
import { ApiError } from "../store/api-error.ts";
import type { KubeObject, WatchEvent } from "../store/types.ts";
import type { Backing, ServerContext } from "./context.ts";
import { boolParam, intParam, type Request, TABLE_ACCEPT } from "./http-util.ts";
import type { ResourceRoute } from "./route.ts";
import { parseInclude, toTable } from "./tables/table.ts";

export function serveWatch(
  ctx: ServerContext,
  req: Request,
  res: ServerResponse,
  route: ResourceRoute,
  backing: Backing,
): void {
  const q = req.query;
  const asTable = TABLE_ACCEPT.test(req.accept);
  const include = parseInclude(q);
  const timeoutSeconds = intParam(q, "timeoutSeconds");
  res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  let first = true;
  let lastRv = ctx.store.resourceVersion;
  const write = (type: string, object: unknown) => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const send = (ev: WatchEvent) => {
    lastRv = ev.object.metadata.resourceVersion ?? lastRv;
    const view = backing.toView(ev.object);
    if (!asTable) return write(ev.type, view);
    const table = toTable(route.type, [ev.object], ctx.clock.now(), {
      include,
      resourceVersion: ev.object.metadata.resourceVersion,
      withColumns: first,
    });
    first = false;
    write(ev.type, table);
  };
  let unsubscribe: () => void = () => {};
  const timers: NodeJS.Timeout[] = [];
  const close = () => {
    unsubscribe();
    for (const t of timers) clearInterval(t);
    ctx.streams.delete(close);
    if (!res.writableEnded) res.end();
  };
  res.on("close", close);
  try {
    unsubscribe = ctx.store.watch(
      backing.storage,
      {
        namespace: route.namespace,
        labelSelector: q.get("labelSelector") ?? undefined,
        fieldSelector: q.get("fieldSelector") ?? undefined,
        resourceVersion: q.get("resourceVersion") ?? undefined,
      },
      send,
    );
  } catch (e) {
    if (e instanceof ApiError) write("ERROR", e.toStatus());
    close();
    return;
  }
  ctx.streams.add(close);
  if (timeoutSeconds && timeoutSeconds > 0) timers.push(setTimeout(close, timeoutSeconds * 1000));
  if (boolParam(q, "allowWatchBookmarks")) {
    const bookmark = () => {
      const obj: KubeObject = {
        apiVersion: route.type.group
          ? `${route.type.group}/${route.type.version}`
          : route.type.version,
        kind: route.type.kind,
        metadata: { resourceVersion: lastRv },
      };
      write("BOOKMARK", obj);
    };
    timers.push(setInterval(bookmark, ctx.bookmarkIntervalMs).unref());
  }
}
