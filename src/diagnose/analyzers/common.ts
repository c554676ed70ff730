/**
 * Small helpers every pod/workload/node analyzer shares: object refs, the events of an object,
 * timestamps (client-node deserializes them to Date, the simulator's fixtures hold strings) and
 * one way to build a Finding whose id is stable across cycles for the same root cause.
 */
import type { CoreV1Event, V1ObjectMeta, V1Pod } from "@kubernetes/client-node";
import { stableId } from "../../core/ids.ts";
import { redactText } from "../../core/redact.ts";
import type { Evidence, Finding, ObjectRef, Severity } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";

export function refOf(kind: string, meta: V1ObjectMeta | undefined): ObjectRef {
  const ref: ObjectRef = { kind, name: meta?.name ?? "" };
  if (meta?.namespace) ref.namespace = meta.namespace;
  if (meta?.uid) ref.uid = meta.uid;
  return ref;
}

export function podRef(pod: V1Pod): ObjectRef {
  return refOf("Pod", pod.metadata);
}

export function timeOf(t: Date | string | undefined | null): number | undefined {
  if (t === undefined || t === null) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

function eventTime(e: CoreV1Event): number {
  return (
    timeOf(e.lastTimestamp) ??
    timeOf(e.eventTime as Date | string | undefined) ??
    timeOf(e.firstTimestamp) ??
    0
  );
}

/**
 * Events indexed by the object they are about. An Event names its object by kind/ns/name and
 * (since client-go's recorder) uid: the uid filter keeps a recreated StatefulSet pod of the same
 * name from inheriting its predecessor's events.
 */
export class EventIndex {
  private readonly byName = new Map<string, CoreV1Event[]>();
  constructor(events: CoreV1Event[]) {
    for (const e of events) {
      const o = e.involvedObject;
      const key = `${o.kind}/${o.namespace ?? ""}/${o.name}`;
      const list = this.byName.get(key) ?? [];
      list.push(e);
      this.byName.set(key, list);
    }
    for (const list of this.byName.values()) list.sort((a, b) => eventTime(b) - eventTime(a));
  }

  /** Newest first; `reason` filters. */
  of(kind: string, meta: V1ObjectMeta | undefined, reason?: string): CoreV1Event[] {
    const name = meta?.name ?? "";
    // Events about cluster-scoped objects live in "default" and some recorders set that namespace.
    const list =
      kind === "Node"
        ? [
            ...(this.byName.get(`Node//${name}`) ?? []),
            ...(this.byName.get(`Node/default/${name}`) ?? []),
          ].sort((a, b) => eventTime(b) - eventTime(a))
        : this.byName.get(`${kind}/${meta?.namespace ?? ""}/${name}`);
    return (list ?? []).filter(
      (e) =>
        (reason === undefined || e.reason === reason) &&
        (!e.involvedObject.uid || !meta?.uid || e.involvedObject.uid === meta.uid),
    );
  }
}

const INDEXES = new WeakMap<ClusterSnapshot, EventIndex>();

/** One index per snapshot, shared by the analyzers of one diagnosis. */
export function eventIndex(snap: ClusterSnapshot): EventIndex {
  let idx = INDEXES.get(snap);
  if (!idx) {
    idx = new EventIndex(snap.events);
    INDEXES.set(snap, idx);
  }
  return idx;
}

/** Event messages quote what programs print (probe output, hook errors), so they are redacted too. */
export function eventEvidence(e: CoreV1Event): Evidence {
  const count = (e.count ?? 1) > 1 ? ` (x${e.count})` : "";
  const text = `${e.type ?? "Normal"} ${e.reason}: ${e.message ?? ""}${count}`;
  return { type: "event", text: redactText(text) };
}

export interface FindingInput {
  source: string;
  /** What makes this root cause distinct (hashed into the id). */
  key: string;
  subject: ObjectRef;
  affected: ObjectRef[];
  reason: string;
  rootCause: string;
  evidence: Evidence[];
  fix?: Finding["fix"];
  confidence: number;
  severity: Severity;
}

export function makeFinding(f: FindingInput, now: number): Finding {
  return {
    id: stableId(
      `${f.source}/${f.reason}/${f.subject.kind}/${f.subject.namespace ?? ""}/${f.subject.name}/${f.key}`,
    ),
    kind: "problem",
    severity: f.severity,
    subject: f.subject,
    affected: f.affected,
    reason: f.reason,
    rootCause: f.rootCause,
    evidence: f.evidence,
    ...(f.fix ? { fix: f.fix } : {}),
    confidence: f.confidence,
    source: f.source,
    time: now,
  };
}

/** "3 pods" / "pod x": how many of a group are affected, for the end of a root-cause sentence. */
export function countPods(pods: ObjectRef[]): string {
  return pods.length === 1 ? `pod ${pods[0]?.name}` : `${pods.length} pods`;
}

/** One pod-level problem before grouping: pods with equal reason, subject and causeKey merge. */
export interface Problem {
  reason: string;
  causeKey: string;
  rootCause: string;
  severity: Severity;
  confidence: number;
  evidence: Evidence[];
  fix?: Finding["fix"];
}
