/** What every handler of the simulated API server gets. */
import type { Clock } from "../../core/clock.ts";
import type { LogStore } from "../log-store.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { ResourceType } from "../store/resources.ts";
import type { KubeObject } from "../store/types.ts";
import { coreEventToV1, v1EventToCore } from "./events-v1.ts";
import { hpaV1ToV2, hpaV2ToV1 } from "./hpa-v1.ts";

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
 * and autoscaling/v1 HPAs differ: converted views of core/v1 Events and autoscaling/v2 HPAs
 * (the API server shares their storage).
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
  if (
    t.group === "autoscaling" &&
    t.version === "v1" &&
    t.resource === "horizontalpodautoscalers"
  ) {
    const storage = ctx.store.registry.lookup("autoscaling", "v2", t.resource) ?? t;
    return { storage, toView: hpaV2ToV1, fromView: hpaV1ToV2 };
  }
  return { storage: t, toView: (o) => o, fromView: (o) => o };
}
