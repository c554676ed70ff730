/**
 * NetworkPolicies that select no pod (a label typo: the policy protects nothing), and policies
 * that deny all ingress to pods a Service routes to. Policies are additive allow-lists: a pod
 * selected by any policy with Ingress in policyTypes accepts only what some selecting policy's
 * ingress rules allow, so traffic is denied only when every such policy has no ingress rule.
 */
import type { V1NetworkPolicy, V1Pod } from "@kubernetes/client-node";
import { matchesSelector } from "../../core/label-selector.ts";
import type { Finding } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { makeFinding, podRef, refOf } from "./common.ts";
import { formatMap, isLive, matchesMap, podsByNamespace, templatesIn } from "./label-match.ts";

const SOURCE = "diagnose/network-policy";

function coversIngress(np: V1NetworkPolicy): boolean {
  const types = np.spec?.policyTypes;
  return !types?.length || types.includes("Ingress");
}

export function analyzeNetworkPolicies(snap: ClusterSnapshot, now: number): Finding[] {
  const byNs = podsByNamespace(snap.pods.filter(isLive));
  const out: Finding[] = [];
  for (const np of snap.networkPolicies) {
    const ns = np.metadata?.namespace ?? "";
    const pods = (byNs.get(ns) ?? []).filter((p) =>
      matchesSelector(np.spec?.podSelector ?? {}, p.metadata?.labels),
    );
    const sel = np.spec?.podSelector;
    const label =
      sel?.matchLabels && Object.keys(sel.matchLabels).length ? formatMap(sel.matchLabels) : "";
    // A policy for pods that come and go (a CronJob's, a Deployment scaled to 0) is not idle.
    const templated = templatesIn(snap, ns).some((t) => matchesSelector(sel ?? {}, t.labels));
    if (!pods.length && label && !templated) {
      out.push(
        makeFinding(
          {
            source: SOURCE,
            key: `none/${label}`,
            subject: refOf("NetworkPolicy", np.metadata),
            affected: [],
            reason: "NetworkPolicySelectsNoPods",
            rootCause: `NetworkPolicy ${ns}/${np.metadata?.name} selects ${label}, which matches no pod in ${ns}: it protects nothing`,
            evidence: [
              {
                type: "object",
                text: `podSelector ${label} matches 0 of ${(byNs.get(ns) ?? []).length} pods`,
              },
            ],
            fix: {
              description:
                "fix the podSelector to the labels of the pods it should protect, or delete the policy",
            },
            confidence: 0.7,
            severity: "info",
          },
          now,
        ),
      );
      continue;
    }
    if (!coversIngress(np) || (np.spec?.ingress ?? []).length || !pods.length) continue;
    const f = deniedServices(snap, np, pods, now);
    if (f) out.push(f);
  }
  return out;
}

/** Pods this deny-all policy isolates that no other selecting policy opens, behind a Service. */
function deniedServices(
  snap: ClusterSnapshot,
  np: V1NetworkPolicy,
  pods: V1Pod[],
  now: number,
): Finding | undefined {
  const ns = np.metadata?.namespace ?? "";
  const others = snap.networkPolicies.filter(
    (o) =>
      o !== np &&
      o.metadata?.namespace === ns &&
      coversIngress(o) &&
      (o.spec?.ingress ?? []).length,
  );
  const closed = pods.filter(
    (p) => !others.some((o) => matchesSelector(o.spec?.podSelector ?? {}, p.metadata?.labels)),
  );
  const services = snap.services.filter(
    (s) =>
      s.metadata?.namespace === ns &&
      s.spec?.selector &&
      Object.keys(s.spec.selector).length &&
      closed.some((p) => matchesMap(s.spec?.selector, p.metadata?.labels)),
  );
  if (!services.length) return undefined;
  const names = services.map((s) => s.metadata?.name ?? "");
  return makeFinding(
    {
      source: SOURCE,
      key: `deny/${names.join(",")}`,
      subject: refOf("NetworkPolicy", np.metadata),
      affected: [...services.map((s) => refOf("Service", s.metadata)), ...closed.map(podRef)],
      reason: "IngressDenied",
      rootCause: `NetworkPolicy ${ns}/${np.metadata?.name} isolates ${closed.length} pods for ingress with no rule allowing any, and no other policy opens them: Service ${names.join(", ")} cannot be reached`,
      evidence: [
        {
          type: "object",
          text: `policyTypes ${(np.spec?.policyTypes ?? ["Ingress"]).join(",")}, ingress rules: none`,
        },
        {
          type: "object",
          text: `Service ${names.join(", ")} routes to ${closed
            .slice(0, 3)
            .map((p) => p.metadata?.name)
            .join(", ")}`,
        },
      ],
      fix: {
        description: `add an ingress rule allowing the Service's clients (e.g. from pods of this namespace), or a second policy that allows them`,
        patch: { spec: { ingress: [{ from: [{ podSelector: {} }] }] } },
      },
      confidence: 0.8,
      severity: "warning",
    },
    now,
  );
}
