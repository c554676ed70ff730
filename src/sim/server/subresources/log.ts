/**
 * GET pods/{name}/log: text/plain from the LogStore, with the API server's container checks
 * (pkg/registry/core/pod/strategy.go LogLocation) and the kubelet's state checks
 * (pkg/kubelet/kubelet_pods.go validateContainerLogStatus), both surfacing as 400 BadRequest.
 */
import type { ServerResponse } from "node:http";
import type { LogLine } from "../../log-store.ts";
import { ApiError } from "../../store/api-error.ts";
import type { KubeObject } from "../../store/types.ts";
import type { ServerContext } from "../context.ts";
import { boolParam, intParam, type Request } from "../http-util.ts";
import type { ResourceRoute } from "../route.ts";

// biome-ignore lint/suspicious/noExplicitAny: pod JSON is open-ended.
type Any = any;

export function resolveContainer(pod: KubeObject, requested: string | null): string {
  const name = pod.metadata.name as string;
  const containers: Any[] = pod.spec?.containers ?? [];
  const inits: Any[] = pod.spec?.initContainers ?? [];
  const ephemeral: Any[] = pod.spec?.ephemeralContainers ?? [];
  if (!requested) {
    if (containers.length === 1) return containers[0].name;
    if (containers.length === 0) throw ApiError.badRequest(`pod ${name} does not have a container`);
    let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(" ")}]`;
    if (inits.length)
      msg += ` or one of the init containers: [${inits.map((c) => c.name).join(" ")}]`;
    throw ApiError.badRequest(msg);
  }
  if (![...containers, ...inits, ...ephemeral].some((c) => c.name === requested)) {
    throw ApiError.badRequest(`container ${requested} is not valid for pod ${name}`);
  }
  return requested;
}

/** Which instance's log the kubelet would serve: "current", "previous" or an error. */
function instanceFor(
  pod: KubeObject,
  container: string,
  previous: boolean,
): "current" | "previous" {
  const st: Any = pod.status ?? {};
  const all: Any[] = [
    ...(st.initContainerStatuses ?? []),
    ...(st.containerStatuses ?? []),
    ...(st.ephemeralContainerStatuses ?? []),
  ];
  const cs = all.find((c) => c.name === container);
  const q = `"${container}" in pod "${pod.metadata.name}"`;
  if (!cs) throw ApiError.badRequest(`container ${q} is not available`);
  const last = cs.lastState?.terminated;
  const state = cs.state ?? {};
  if (previous) {
    if (!last) throw ApiError.badRequest(`previous terminated container ${q} not found`);
    return "previous";
  }
  if (state.running || state.terminated) return "current";
  if (last) return "previous";
  if (state.waiting) {
    const reason = state.waiting.reason;
    if (reason === "ErrImagePull")
      throw ApiError.badRequest(`container ${q} is waiting to start: image can't be pulled`);
    if (reason === "ImagePullBackOff")
      throw ApiError.badRequest(
        `container ${q} is waiting to start: trying and failing to pull image`,
      );
    throw ApiError.badRequest(`container ${q} is waiting to start: ${reason}`);
  }
  throw ApiError.badRequest(`container ${q} is waiting to start - no logs yet`);
}

/** Go's RFC3339Nano trims trailing zeros of the fraction. */
function rfc3339Nano(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.?0+Z$/, "Z")
    .replace(/\.(\d*?)0*Z$/, ".$1Z");
}

function format(line: LogLine, timestamps: boolean): string {
  return `${timestamps ? `${rfc3339Nano(line.time)} ` : ""}${line.text}\n`;
}

export function serveLog(
  ctx: ServerContext,
  req: Request,
  res: ServerResponse,
  route: ResourceRoute,
): void {
  if (req.method !== "GET") throw ApiError.methodNotAllowed();
  const q = req.query;
  const ns = route.namespace as string;
  const pod = ctx.store.mustGet("pods", ns, route.name as string);
  const container = resolveContainer(pod, q.get("container"));
  if (!pod.spec?.nodeName)
    throw ApiError.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const previous = boolParam(q, "previous");
  const instance = instanceFor(pod, container, previous);
  const name = pod.metadata.name as string;
  let lines = ctx.logs.read(ns, name, container, instance === "previous") ?? [];
  if (instance === "previous" && !previous && lines.length === 0)
    lines = ctx.logs.read(ns, name, container) ?? [];
  const sinceSeconds = intParam(q, "sinceSeconds");
  const sinceTime = q.get("sinceTime");
  const from =
    sinceSeconds !== undefined
      ? ctx.clock.now() - sinceSeconds * 1000
      : sinceTime
        ? Date.parse(sinceTime)
        : undefined;
  if (from !== undefined) lines = lines.filter((l) => l.time >= from);
  const tail = intParam(q, "tailLines");
  if (tail !== undefined && tail >= 0) lines = lines.slice(Math.max(0, lines.length - tail));
  const timestamps = boolParam(q, "timestamps");
  let budget = intParam(q, "limitBytes") ?? Number.POSITIVE_INFINITY;
  const emit = (text: string): boolean => {
    const buf = Buffer.from(text);
    const part = buf.length > budget ? buf.subarray(0, budget) : buf;
    budget -= part.length;
    res.write(part);
    return budget > 0;
  };
  res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
  let open = true;
  for (const l of lines) if (open) open = emit(format(l, timestamps));
  if (!open || !boolParam(q, "follow") || instance === "previous") {
    res.end();
    return;
  }
  res.flushHeaders();
  followLog(ctx, res, { ns, name, container, timestamps, emit });
}

interface FollowTarget {
  ns: string;
  name: string;
  container: string;
  timestamps: boolean;
  emit: (text: string) => boolean;
}

/** Streams new lines until the client goes away, the budget runs out, or the container stops. */
function followLog(ctx: ServerContext, res: ServerResponse, f: FollowTarget): void {
  let stopWatch: () => void = () => {};
  const stop = () => {
    stopLogs();
    stopWatch();
    ctx.streams.delete(stop);
    if (!res.writableEnded) res.end();
  };
  const stopLogs = ctx.logs.follow(f.ns, f.name, f.container, (line) => {
    if (!f.emit(format(line, f.timestamps))) stop();
  });
  stopWatch = ctx.store.watch(
    "pods",
    {
      namespace: f.ns,
      fieldSelector: `metadata.name=${f.name}`,
      resourceVersion: ctx.store.resourceVersion,
    },
    (ev) => {
      const cs = (ev.object.status?.containerStatuses ?? []).find(
        (c: Any) => c.name === f.container,
      );
      if (ev.type === "DELETED" || cs?.state?.terminated) setImmediate(stop);
    },
  );
  ctx.streams.add(stop);
  res.on("close", stop);
}
