/**
 * Records core/v1 Events the way client-go's recorder does: one Event per
 * (object, reason, message, source), with `count` and `lastTimestamp` bumped on repeats.
 * Every Event carries the involved object's uid (kubectl describe filters on it).
 */
import { type Clock, isoTime } from "../core/clock.ts";
import type { ObjectStore } from "./store/object-store.ts";
import type { KubeObject } from "./store/types.ts";

export interface EventSource {
  component: string;
  host?: string;
}

export class EventRecorder {
  private readonly keys = new Map<string, string>();
  private seq = 0;
  private readonly store: ObjectStore;
  private readonly clock: Clock;
  constructor(store: ObjectStore, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  record(
    obj: KubeObject,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
    source: EventSource,
    fieldPath?: string,
  ): void {
    const ns = obj.metadata.namespace ?? "default";
    const key = [obj.metadata.uid, reason, message, source.component, fieldPath ?? ""].join("|");
    const now = this.clock.now();
    const existing = this.keys.get(key);
    if (existing && this.store.get("events", ns, existing)) {
      this.store.mutate("events", ns, existing, (e) => {
        e.count = ((e.count as number) ?? 1) + 1;
        e.lastTimestamp = isoTime(now);
      });
      return;
    }
    if (!this.store.get("namespaces", undefined, ns)) return;
    const name = `${obj.metadata.name}.${(now * 1000 + this.seq++).toString(16)}`;
    this.keys.set(key, name);
    this.store.create(
      "events",
      {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace: ns },
        involvedObject: {
          kind: obj.kind,
          namespace: obj.metadata.namespace,
          name: obj.metadata.name,
          uid: obj.metadata.uid,
          apiVersion: obj.apiVersion,
          resourceVersion: obj.metadata.resourceVersion,
          ...(fieldPath ? { fieldPath } : {}),
        },
        reason,
        message,
        source,
        firstTimestamp: isoTime(now),
        lastTimestamp: isoTime(now),
        eventTime: null,
        count: 1,
        type,
        reportingComponent: source.component,
        reportingInstance: source.host ?? "",
      },
      { internal: true },
    );
  }
}
