/**
 * The Alertmanager webhook payload (`webhook_config`, payload version 4) and its alerts as
 * findings of kind "alert". Firing alerts carry the zero time "0001-01-01T00:00:00Z" as
 * endsAt. The subject is the most specific object the labels name (kube-prometheus rules label
 * pods with namespace/pod, workloads with deployment/statefulset/daemonset, nodes with node).
 */
import { z } from "zod";
import { OpsloopError } from "../../core/errors.ts";
import { stableId } from "../../core/ids.ts";
import { redactText } from "../../core/redact.ts";
import type { Finding, ObjectRef, Severity } from "../../core/types.ts";
import type { AlertSignal } from "../../incidents/incidents.ts";

const Labels = z.record(z.string(), z.string());

export const AlertSchema = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: Labels,
  annotations: Labels.default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});
export type Alert = z.infer<typeof AlertSchema>;

export const WebhookPayloadSchema = z.object({
  version: z.string(),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string(),
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Labels.default({}),
  externalURL: z.string().default(""),
  alerts: z.array(AlertSchema),
});
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;

export function parseWebhook(body: unknown): WebhookPayload {
  const r = WebhookPayloadSchema.safeParse(body);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
    throw new OpsloopError("invalid_input", `invalid Alertmanager payload: ${problems.join("; ")}`);
  }
  if (r.data.version !== "4")
    throw new OpsloopError("invalid_input", `unsupported payload version ${r.data.version}`);
  return r.data;
}

const WORKLOAD_LABELS: [string, string][] = [
  ["deployment", "Deployment"],
  ["statefulset", "StatefulSet"],
  ["daemonset", "DaemonSet"],
  ["job_name", "Job"],
  ["cronjob", "CronJob"],
];

export function alertSubject(l: Record<string, string>): ObjectRef {
  const namespace = l.namespace;
  if (l.pod) return { kind: "Pod", namespace, name: l.pod };
  for (const [label, kind] of WORKLOAD_LABELS)
    if (l[label]) return { kind, namespace, name: l[label] as string };
  if (l.service) return { kind: "Service", namespace, name: l.service };
  if (l.node) return { kind: "Node", name: l.node };
  if (namespace) return { kind: "Namespace", name: namespace };
  return { kind: "Alert", name: l.alertname ?? "unnamed" };
}

function severityOf(l: Record<string, string>): Severity {
  const s = (l.severity ?? "").toLowerCase();
  if (["critical", "page", "error", "high"].includes(s)) return "critical";
  if (["warning", "warn", "medium"].includes(s)) return "warning";
  return "info";
}

/** Alertmanager's fingerprint when sent; otherwise a stable hash of the sorted label set. */
export function alertFingerprint(a: Alert): string {
  if (a.fingerprint) return a.fingerprint;
  const labels = Object.entries(a.labels).sort(([x], [y]) => x.localeCompare(y));
  return stableId(JSON.stringify(labels));
}

export function alertToSignal(a: Alert): AlertSignal {
  const name = a.labels.alertname ?? "Alert";
  const text = a.annotations.description ?? a.annotations.summary ?? a.annotations.message ?? name;
  const endsAt = a.endsAt ? Date.parse(a.endsAt) : Number.NaN;
  const finding: Finding = {
    id: `alertmanager:${alertFingerprint(a)}`,
    kind: "alert",
    severity: severityOf(a.labels),
    subject: alertSubject(a.labels),
    affected: [],
    rootCause: redactText(text),
    reason: name,
    evidence: [
      {
        type: "object",
        text: `${name}{${Object.entries(a.labels)
          .filter(([k]) => k !== "alertname")
          .map(([k, v]) => `${k}="${v}"`)
          .join(",")}}`,
        data: { labels: a.labels, generatorURL: a.generatorURL },
      },
    ],
    confidence: 0.3,
    source: "alertmanager",
    time: Date.parse(a.startsAt) || 0,
  };
  return {
    finding,
    firing: a.status === "firing",
    ...(a.status === "resolved" && endsAt > 0 ? { endsAt } : {}),
  };
}
