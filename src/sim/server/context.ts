/** What every handler of the simulated API server gets. */
import type { Clock } from "../../core/clock.ts";
import type { LogStore } from "../log-store.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { ResourceType } from "../store/resources.ts";
import type { KubeObject } from "../store/types.ts";
import { coreEventToV1, v1EventToCore } from "./events-v1.ts";

export interface ServerContext {
  store: ObjectStore;
  logs: LogStore;
  clock: Clock;
  /** Closers of every open watch and log follow, so admin endpoints can end them. */
  streams: Set<() => void>;
  /** How often watches with allowWatchBookmarks=true get a BOOKMARK. */
  bookmarkIntervalMs: number;
}

/**
 * Where a served resource is stored and how its objects look on the wire. Only events.k8s.io/v1
 * differs: it is a converted view of the core/v1 Events (the API server shares their storage).
 */
export interface Backing {
  storage: ResourceType;
  toView: (o: KubeObject) => KubeObject;
  fromView: (o: KubeObject) => KubeObject;
}

export function backingFor(ctx: ServerContext, t: ResourceType): Backing {
  if (t.group === "events.k8s.io" && t.resource === "events") {
    return { storage: ctx.store.res("events"), toView: coreEventToV1, fromView: v1EventToCore };
  }
  return { storage: t, toView: (o) => o, fromView: (o) => o };
}
