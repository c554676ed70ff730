/**
 * What past incidents teach. Every resolved incident episode is stored with its cause, the
 * actions taken and the outcome; similar past incidents are found by text (TF-IDF over title,
 * root cause, reasons and subjects, cosine similarity — written here, the corpus is small) plus
 * structure (same reason, same kind of subject, same workload); the runbook whose action was
 * applied before a similar incident resolved is proposed first. Workload names are compared
 * without pod-template hashes, so `api-7d9f8b6c5-x2k4q` and `api-5c4b-zz9qv` are one workload.
 */
import { stableId } from "../core/ids.ts";
import type { ActionSummary, Incident, ObjectRef } from "../core/types.ts";
import type { Db } from "../store/sqlite.ts";
import type { IncidentRecord } from "./record.ts";

export type Outcome = "auto-resolved" | "resolved-after-escalation" | "resolved";

export interface KnowledgeEntry {
  id: string;
  incidentId: string;
  resolvedAt: number;
  openedAt: number;
  title: string;
  cause: string;
  reasons: string[];
  subject: ObjectRef;
  actions: ActionSummary[];
  outcome: Outcome;
  /** The runbook whose action was applied during the episode, if any. */
  runbook?: string;
  signature: string;
}

export interface SimilarIncident {
  entry: KnowledgeEntry;
  score: number;
  text: number;
  sameReason: boolean;
  sameWorkload: boolean;
}

/** Pod names lose their ReplicaSet/pod hashes; the rest is the workload. */
export function workloadName(name: string): string {
  return name.replace(/-[a-z0-9]{8,10}-[a-z0-9]{5}$/, "").replace(/-[a-z0-9]{5}$/, "");
}

export function signatureOf(inc: Pick<Incident, "subject" | "findings">): string {
  const reason = inc.findings[0]?.reason ?? "";
  const s = inc.subject;
  return `${reason}|${s.kind}|${s.namespace ?? ""}/${workloadName(s.name)}`;
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 1 && !/^\d+$/.test(t));
}

function docText(e: Pick<KnowledgeEntry, "title" | "cause" | "reasons" | "subject">): string {
  const reasons = e.reasons.flatMap((r) => [r, r.replace(/([a-z])([A-Z])/g, "$1 $2")]);
  return [e.title, e.cause, ...reasons, e.subject.kind, workloadName(e.subject.name)].join(" ");
}

function outcomeOf(inc: Incident): { outcome: Outcome; runbook?: string } {
  const applied = inc.actions.filter((a) => a.result === "applied" && a.time >= inc.openedAt);
  const last = applied.at(-1);
  if (last) return { outcome: "auto-resolved", runbook: last.runbook };
  const failed = inc.actions.some(
    (a) =>
      a.time >= inc.openedAt &&
      (a.verdict !== "allowed" || a.result === "failed" || a.result === "rolled_back"),
  );
  if (inc.status === "escalated" || failed) return { outcome: "resolved-after-escalation" };
  return { outcome: "resolved" };
}

export class KnowledgeBase {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Stores a resolved incident episode (idempotent per incident and resolution time). */
  record(inc: IncidentRecord, escalated = false): KnowledgeEntry {
    const { outcome, runbook } = outcomeOf(escalated ? { ...inc, status: "escalated" } : inc);
    const entry: KnowledgeEntry = {
      id: stableId(`${inc.id}/${inc.resolvedAt ?? inc.updatedAt}`),
      incidentId: inc.id,
      resolvedAt: inc.resolvedAt ?? inc.updatedAt,
      openedAt: inc.openedAt,
      title: inc.title,
      cause: inc.rootCause,
      reasons: [...new Set(inc.findings.map((f) => f.reason))],
      subject: inc.subject,
      actions: inc.actions.filter((a) => a.time >= inc.openedAt),
      outcome,
      ...(runbook ? { runbook } : {}),
      signature: signatureOf(inc),
    };
    this.db
      .prepare(
        `INSERT INTO knowledge (id, incident_id, resolved_at, signature, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET body = excluded.body`,
      )
      .run(entry.id, entry.incidentId, entry.resolvedAt, entry.signature, JSON.stringify(entry));
    return entry;
  }

  entries(): KnowledgeEntry[] {
    const rows = this.db
      .prepare("SELECT body FROM knowledge ORDER BY resolved_at")
      .all() as unknown as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as KnowledgeEntry);
  }

  /** Past incidents most like `query` (an incident, or free text), best first. */
  similar(
    query: Incident | string,
    opts: { limit?: number; minScore?: number } = {},
  ): SimilarIncident[] {
    const all = this.entries().filter(
      (e) =>
        typeof query === "string" || e.incidentId !== query.id || e.resolvedAt < query.openedAt,
    );
    if (all.length === 0) return [];
    const q =
      typeof query === "string"
        ? { text: query, reason: undefined, subject: undefined }
        : {
            text: docText({
              title: query.title,
              cause: query.rootCause,
              reasons: query.findings.map((f) => f.reason),
              subject: query.subject,
            }),
            reason: query.findings[0]?.reason,
            subject: query.subject,
          };
    const docs = all.map((e) => tokens(docText(e)));
    const df = new Map<string, number>();
    for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
    const idf = (t: string) => Math.log((1 + all.length) / (1 + (df.get(t) ?? 0))) + 1;
    const qv = vector(tokens(q.text), idf);
    const out = all.map((entry, i) => {
      const text = cosine(qv, vector(docs[i] as string[], idf));
      const sameReason = q.reason !== undefined && entry.reasons.includes(q.reason);
      const sameWorkload =
        q.subject !== undefined &&
        entry.subject.namespace === q.subject.namespace &&
        workloadName(entry.subject.name) === workloadName(q.subject.name);
      const sameKind = q.subject !== undefined && entry.subject.kind === q.subject.kind;
      const score =
        0.6 * text + (sameReason ? 0.25 : 0) + (sameWorkload ? 0.1 : 0) + (sameKind ? 0.05 : 0);
      return { entry, score, text, sameReason, sameWorkload };
    });
    return out
      .filter((s) => s.score >= (opts.minScore ?? 0.2))
      .sort((a, b) => b.score - a.score || b.entry.resolvedAt - a.entry.resolvedAt)
      .slice(0, opts.limit ?? 5);
  }

  /** The earlier occurrence this incident repeats: same signature, or a very close match. */
  recurrenceOf(inc: Incident): KnowledgeEntry | undefined {
    const sig = signatureOf(inc);
    const best = this.similar(inc, { limit: 1, minScore: 0.75 })[0];
    const same = this.entries()
      .filter((e) => e.signature === sig && e.resolvedAt <= inc.openedAt)
      .at(-1);
    return same ?? best?.entry;
  }

  /**
   * Runbook names ordered for an incident: those that worked on similar past incidents first
   * (most similar first), then the remaining `candidates` in their own order.
   */
  proposeRunbooks(inc: Incident, candidates: string[]): string[] {
    const worked = this.similar(inc, { limit: 20 })
      .filter((s) => s.entry.outcome === "auto-resolved" && s.entry.runbook)
      .map((s) => s.entry.runbook as string);
    const first = [...new Set(worked)].filter((r) => candidates.includes(r));
    return [...first, ...candidates.filter((c) => !first.includes(c))];
  }
}

function vector(ts: string[], idf: (t: string) => number): Map<string, number> {
  const v = new Map<string, number>();
  for (const t of ts) v.set(t, (v.get(t) ?? 0) + 1);
  for (const [t, n] of v) v.set(t, n * idf(t));
  return v;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  for (const [t, x] of a) dot += x * (b.get(t) ?? 0);
  const norm = (m: Map<string, number>) =>
    Math.sqrt([...m.values()].reduce((s, x) => s + x * x, 0));
  const d = norm(a) * norm(b);
  return d > 0 ? dot / d : 0;
}
