/**
 * events.k8s.io/v1 ⇄ core/v1 Event field mapping (k8s.io/kubernetes pkg/apis/events/v1
 * conversion): regarding=involvedObject, note=message, deprecatedCount=count, and so on.
 */
import type { KubeObject } from "../store/types.ts";

// biome-ignore lint/suspicious/noExplicitAny: events are open JSON.
type Any = any;

export function coreEventToV1(e: KubeObject): KubeObject {
  const c: Any = e;
  const out: Any = {
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    metadata: c.metadata,
    eventTime: c.eventTime ?? null,
    reportingController: c.reportingComponent || c.source?.component || undefined,
    reportingInstance: c.reportingInstance || c.source?.host || undefined,
    action: c.action,
    reason: c.reason,
    regarding: c.involvedObject,
    related: c.related,
    note: c.message,
    type: c.type,
    series: c.series,
    deprecatedSource: c.source,
    deprecatedFirstTimestamp: c.firstTimestamp,
    deprecatedLastTimestamp: c.lastTimestamp,
    deprecatedCount: c.count,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

export function v1EventToCore(e: KubeObject): KubeObject {
  const v: Any = e;
  const out: Any = {
    apiVersion: "v1",
    kind: "Event",
    metadata: v.metadata,
    eventTime: v.eventTime,
    reportingComponent: v.reportingController,
    reportingInstance: v.reportingInstance,
    action: v.action,
    reason: v.reason,
    involvedObject: v.regarding ?? {},
    related: v.related,
    message: v.note,
    type: v.type,
    series: v.series,
    source: v.deprecatedSource,
    firstTimestamp: v.deprecatedFirstTimestamp,
    lastTimestamp: v.deprecatedLastTimestamp,
    count: v.deprecatedCount,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
