/**
 * The scheduler's PodTopologySpread (DoNotSchedule constraints) and InterPodAffinity filters:
 * required pod affinity and anti-affinity, including the anti-affinity of pods already placed.
 */
import {
  fromLabelSelectorSpec,
  type LabelSelectorSpec,
  matchesLabels,
} from "../store/selectors.ts";
import type { KubeObject } from "../store/types.ts";
import type { FilterResult } from "./scheduler-filters.ts";

interface AffinityTerm {
  labelSelector?: LabelSelectorSpec;
  topologyKey: string;
  namespaces?: string[];
}

interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  labelSelector?: LabelSelectorSpec;
}

/** Pods already bound (or bound earlier in this cycle) with their node. */
export interface Placement {
  pods: KubeObject[];
  nodes: Map<string, KubeObject>;
}

function labelOf(node: KubeObject | undefined, key: string): string | undefined {
  return (node?.metadata.labels as Record<string, string> | undefined)?.[key];
}

function termMatches(term: AffinityTerm, owner: KubeObject, candidate: KubeObject): boolean {
  const namespaces = term.namespaces?.length ? term.namespaces : [owner.metadata.namespace];
  if (!namespaces.includes(candidate.metadata.namespace)) return false;
  return matchesLabels(fromLabelSelectorSpec(term.labelSelector), candidate.metadata.labels);
}

function sameDomain(p: Placement, other: KubeObject, node: KubeObject, key: string): boolean {
  const value = labelOf(node, key);
  return value !== undefined && labelOf(p.nodes.get(other.spec?.nodeName), key) === value;
}

function required(pod: KubeObject, kind: "podAffinity" | "podAntiAffinity"): AffinityTerm[] {
  return pod.spec?.affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
}

/** Checked in the plugin's order: affinity, anti-affinity, then existing pods' anti-affinity. */
export function interPodAffinityFilter(
  pod: KubeObject,
  node: KubeObject,
  p: Placement,
): FilterResult | undefined {
  for (const term of required(pod, "podAffinity")) {
    const matching = p.pods.filter((o) => termMatches(term, pod, o));
    // The first pod of a group that matches its own affinity may go anywhere.
    if (
      !matching.length &&
      termMatches(term, pod, pod) &&
      labelOf(node, term.topologyKey) !== undefined
    )
      continue;
    if (!matching.some((o) => sameDomain(p, o, node, term.topologyKey))) {
      return { reasons: ["node(s) didn't match pod affinity rules"], unresolvable: true };
    }
  }
  for (const term of required(pod, "podAntiAffinity")) {
    if (p.pods.some((o) => termMatches(term, pod, o) && sameDomain(p, o, node, term.topologyKey))) {
      return { reasons: ["node(s) didn't match pod anti-affinity rules"], unresolvable: false };
    }
  }
  for (const other of p.pods) {
    for (const term of required(other, "podAntiAffinity")) {
      if (termMatches(term, other, pod) && sameDomain(p, other, node, term.topologyKey)) {
        return {
          reasons: ["node(s) didn't satisfy existing pods anti-affinity rules"],
          unresolvable: false,
        };
      }
    }
  }
  return undefined;
}

export function topologySpreadFilter(
  pod: KubeObject,
  node: KubeObject,
  p: Placement,
  eligible: KubeObject[],
): FilterResult | undefined {
  const constraints = ((pod.spec?.topologySpreadConstraints ?? []) as SpreadConstraint[]).filter(
    (c) => c.whenUnsatisfiable === "DoNotSchedule",
  );
  for (const c of constraints) {
    const value = labelOf(node, c.topologyKey);
    if (value === undefined) {
      return {
        reasons: ["node(s) didn't match pod topology spread constraints (missing required label)"],
        unresolvable: true,
      };
    }
    const selector = fromLabelSelectorSpec(c.labelSelector);
    const counts = new Map<string, number>();
    for (const n of eligible) {
      const v = labelOf(n, c.topologyKey);
      if (v !== undefined) counts.set(v, 0);
    }
    for (const o of p.pods) {
      if (
        o.metadata.namespace !== pod.metadata.namespace ||
        !matchesLabels(selector, o.metadata.labels)
      )
        continue;
      const v = labelOf(p.nodes.get(o.spec?.nodeName), c.topologyKey);
      if (v !== undefined && counts.has(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const min = Math.min(...counts.values());
    const self = matchesLabels(selector, pod.metadata.labels) ? 1 : 0;
    if ((counts.get(value) ?? 0) + self - min > c.maxSkew) {
      return {
        reasons: ["node(s) didn't match pod topology spread constraints"],
        unresolvable: false,
      };
    }
  }
  return undefined;
}
