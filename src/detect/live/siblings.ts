/**
 * Replicas of one workload run the same code under an evenly split load, so a new pod (a
 * rollout, a scale-up, a rescheduled replica) starts from the baseline its siblings learned
 * instead of from nothing. Without this, every rollout would blind the detectors for hours —
 * exactly when a bad version needs catching.
 */
import { seriesKey } from "../../sources/samples/sample-stream.ts";
import type { DerivedPoint } from "./derive.ts";
import { type OwnerResolver, subjectOf } from "./subject.ts";

/** Workload + metric + every label but `pod`; undefined for series that are not a replica's. */
export function siblingGroup(p: DerivedPoint, resolve?: OwnerResolver): string | undefined {
  if (!p.labels.pod || !p.labels.namespace) return undefined;
  const { subject } = subjectOf(p.labels, resolve);
  if (subject.kind === "Pod") return undefined;
  const { pod: _pod, ...rest } = p.labels;
  return `${subject.kind}/${subject.namespace}/${subject.name}\u0000${seriesKey(p.metric, rest)}`;
}

export class SiblingIndex {
  private readonly groups = new Map<string, Set<string>>();

  add(group: string, key: string): void {
    let g = this.groups.get(group);
    if (!g) {
      g = new Set();
      this.groups.set(group, g);
    }
    g.add(key);
  }

  remove(group: string, key: string): void {
    const g = this.groups.get(group);
    g?.delete(key);
    if (g?.size === 0) this.groups.delete(group);
  }

  members(group: string): Iterable<string> {
    return this.groups.get(group) ?? [];
  }

  clear(): void {
    this.groups.clear();
  }
}
