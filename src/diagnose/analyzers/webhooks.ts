/**
 * Admission webhooks whose Service is missing or has no ready endpoints. With failurePolicy Fail
 * (the admissionregistration/v1 default) every matching API write is rejected with
 * `failed calling webhook ... no endpoints available for service`, which stops deployments,
 * scaling and even pod creation by controllers: critical. With Ignore, writes pass unchecked.
 */
import type { V1MutatingWebhook, V1ValidatingWebhook } from "@kubernetes/client-node";
import type { Finding } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { makeFinding } from "./common.ts";

const SOURCE = "diagnose/webhooks";

interface Hook {
  kind: "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration";
  config: string;
  hook: V1ValidatingWebhook | V1MutatingWebhook;
}

export function analyzeWebhooks(snap: ClusterSnapshot, now: number): Finding[] {
  const hooks: Hook[] = [
    ...snap.validatingWebhooks.flatMap((c) =>
      (c.webhooks ?? []).map((hook) => ({
        kind: "ValidatingWebhookConfiguration" as const,
        config: c.metadata?.name ?? "",
        hook,
      })),
    ),
    ...snap.mutatingWebhooks.flatMap((c) =>
      (c.webhooks ?? []).map((hook) => ({
        kind: "MutatingWebhookConfiguration" as const,
        config: c.metadata?.name ?? "",
        hook,
      })),
    ),
  ];
  const services = new Set(
    snap.services.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`),
  );
  const ready = new Set(
    snap.endpoints
      .filter((e) => (e.subsets ?? []).some((s) => (s.addresses ?? []).length))
      .map((e) => `${e.metadata?.namespace}/${e.metadata?.name}`),
  );
  const out: Finding[] = [];
  for (const h of hooks) {
    const svc = h.hook.clientConfig?.service;
    if (!svc) continue; // a URL webhook: nothing in the cluster to check
    const key = `${svc.namespace}/${svc.name}`;
    const missing = !services.has(key);
    if (!missing && ready.has(key)) continue;
    const policy = h.hook.failurePolicy ?? "Fail";
    const blocks = policy === "Fail";
    const effect = blocks
      ? `with failurePolicy Fail every ${describeRules(h.hook)} is rejected`
      : "with failurePolicy Ignore matching writes are admitted unchecked";
    out.push(
      makeFinding(
        {
          source: SOURCE,
          key: `${h.hook.name}/${key}/${missing}`,
          subject: { kind: h.kind, name: h.config },
          affected: [{ kind: "Service", namespace: svc.namespace, name: svc.name }],
          reason: missing ? "WebhookServiceNotFound" : "WebhookServiceNoEndpoints",
          rootCause: `Webhook ${h.hook.name} of ${h.kind} ${h.config} calls Service ${key}, which ${missing ? "does not exist" : "has no ready endpoints"}: ${effect}`,
          evidence: [
            {
              type: "object",
              text: missing
                ? `service "${svc.name}" not found in namespace ${svc.namespace}`
                : `Endpoints ${key} has no ready addresses`,
            },
            { type: "object", text: `failurePolicy: ${policy}` },
          ],
          fix: {
            description: missing
              ? `reinstall the webhook's server (Service ${key}) or delete ${h.kind} ${h.config} if its operator was removed`
              : `bring the pods behind Service ${key} back, or set failurePolicy Ignore while they are down`,
            command: `kubectl delete ${h.kind.toLowerCase()} ${h.config}`,
          },
          confidence: 0.9,
          severity: blocks ? "critical" : "warning",
        },
        now,
      ),
    );
  }
  return out;
}

function describeRules(h: V1ValidatingWebhook | V1MutatingWebhook): string {
  const parts = (h.rules ?? []).map(
    (r) => `${(r.operations ?? ["*"]).join("/")} of ${(r.resources ?? ["*"]).join(",")}`,
  );
  return parts.length ? parts.join("; ") : "matching API write";
}
