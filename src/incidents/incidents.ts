/**
 * Signals → incidents. Findings (one evaluation cycle's full set) and alerts (firing/resolved
 * notifications) become deduplicated signals, keyed by fingerprint; a signal joins the active
 * incident it is topologically related to (see correlate.ts), and a signal that links two
 * incidents merges them. An incident resolves once every signal has been quiet for
 * `resolveAfterMs`, so a flapping alert stays one incident. Lifecycle:
 * open → diagnosed → remediating | escalated → resolved; a resolved incident whose key fires
 * again is reopened (a recurrence) with its earlier episode kept in `previous`.
 * Events are emitted only on visible changes, never once per evaluation cycle.
 */
import { newId } from "../core/ids.ts";
import type {
  ActionSummary,
  Finding,
  Hypothesis,
  Incident,
  IncidentInvestigation,
} from "../core/types.ts";
import { refKey } from "../diagnose/owners.ts";
import type { Db } from "../store/sqlite.ts";
import { place, related, type SignalState } from "./correlate.ts";
import { KnowledgeBase } from "./knowledge.ts";
import { episodeOf, nextStatus, refresh, visibleState } from "./lifecycle.ts";
import {
  deleteIncident,
  type IncidentRecord,
  loadIncident,
  loadIncidents,
  saveIncident,
} from "./record.ts";
import { emptyTopology, type Topology } from "./topology.ts";

export interface IncidentEvent {
  type: "opened" | "updated" | "resolved";
  incident: IncidentRecord;
}

export interface IncidentOptions {
  /** How long every signal of an incident must be quiet before it is resolved. */
  resolveAfterMs?: number;
  /** Confidence from which a root cause counts as the diagnosis. */
  diagnoseAt?: number;
  /** Findings kept per incident. */
  maxFindings?: number;
  /** Signals further apart than this are never grouped. */
  windowMs?: number;
  /**
   * A firing alert not re-sent for this long counts as gone (Alertmanager repeats firing groups
   * every repeat_interval, 4h by default; a lost resolved notification must not pin an incident).
   */
  staleAlertMs?: number;
  /** The current topology (called once per ingest). */
  topology?: () => Topology;
  /** Ranks root-cause hypotheses when an incident opens or gains signals (IncidentRca). */
  hypotheses?: (inc: IncidentRecord) => Hypothesis[];
  /** Where a ranking failure goes; the incident keeps its earlier hypotheses. */
  onError?: (e: unknown) => void;
}

/** An alert as a finding of kind "alert", with its notification status. */
export interface AlertSignal {
  finding: Finding;
  firing: boolean;
  /** When a resolved alert ended. */
  endsAt?: number;
}

export function incidentKey(f: Finding): string {
  return `${refKey(f.subject)}/${f.reason}`;
}

export class IncidentManager {
  private readonly db: Db;
  private readonly opts: Required<Omit<IncidentOptions, "topology" | "hypotheses" | "onError">>;
  private readonly topology: () => Topology;
  private readonly rank: Pick<IncidentOptions, "hypotheses" | "onError">;
  private readonly active = new Map<string, IncidentRecord>();
  private readonly listeners: ((events: IncidentEvent[]) => void)[] = [];
  /** Resolved incidents with cause, actions and outcome; similar past incidents. */
  readonly knowledge: KnowledgeBase;

  constructor(db: Db, opts: IncidentOptions = {}) {
    this.db = db;
    this.opts = {
      resolveAfterMs: opts.resolveAfterMs ?? 5 * 60_000,
      diagnoseAt: opts.diagnoseAt ?? 0.7,
      maxFindings: opts.maxFindings ?? 20,
      windowMs: opts.windowMs ?? 15 * 60_000,
      staleAlertMs: opts.staleAlertMs ?? 12 * 3_600_000,
    };
    this.topology = opts.topology ?? emptyTopology;
    this.rank = { hypotheses: opts.hypotheses, onError: opts.onError };
    this.knowledge = new KnowledgeBase(db);
    for (const inc of loadIncidents(db, { active: true })) this.active.set(inc.id, inc);
  }

  /** Called with the events of every ingest (notifications, the dashboard's live feed). */
  subscribe(fn: (events: IncidentEvent[]) => void): void {
    this.listeners.push(fn);
  }

  /** Applies one evaluation cycle's findings at time `now`. */
  ingest(findings: Finding[], now: number): IncidentEvent[] {
    return this.batch(now, (t, touch) => {
      for (const f of findings) touch(this.observe(f, "finding", true, now, t));
    });
  }

  /** Applies alert notifications (Alertmanager repeats whole groups: duplicates are expected). */
  ingestAlerts(alerts: AlertSignal[], now: number): IncidentEvent[] {
    return this.batch(now, (t, touch) => {
      for (const a of alerts) {
        const at = a.firing ? now : (a.endsAt ?? now);
        const id = this.observe(a.finding, "alert", a.firing, at, t);
        if (id) touch(id);
      }
    });
  }

  /** Resolves incidents whose signals have all been quiet long enough. */
  sweep(now: number): IncidentEvent[] {
    return this.batch(now, () => {});
  }

  acknowledge(id: string, by: string, now: number): IncidentRecord | undefined {
    const inc = this.get(id);
    if (!inc || inc.acknowledgedAt !== undefined) return inc;
    const next = { ...inc, acknowledgedAt: now, acknowledgedBy: by, updatedAt: now };
    this.store(next);
    return next;
  }

  /**
   * Records a remediation action: applied → remediating; denied, failed or rolled back →
   * escalated (a human must act).
   */
  recordAction(id: string, action: ActionSummary, now: number): Incident | undefined {
    const inc = this.get(id);
    if (!inc) return undefined;
    const status = nextStatus(inc.status, action);
    const next: IncidentRecord = {
      ...inc,
      status,
      actions: [...inc.actions, action],
      updatedAt: now,
    };
    this.store(next);
    return next;
  }

  /** Stores the LLM investigator's conclusion on the incident. */
  recordInvestigation(
    id: string,
    investigation: IncidentInvestigation,
    now: number,
  ): IncidentRecord | undefined {
    const inc = this.get(id);
    if (!inc) return undefined;
    const next: IncidentRecord = { ...inc, investigation, updatedAt: now };
    this.store(next);
    return next;
  }

  get(id: string): IncidentRecord | undefined {
    return this.active.get(id) ?? loadIncident(this.db, "id", id);
  }

  getByKey(key: string): IncidentRecord | undefined {
    return loadIncident(this.db, "key", key);
  }

  list(opts: { active?: boolean; status?: Incident["status"] } = {}): IncidentRecord[] {
    return loadIncidents(this.db, opts);
  }

  /** The incident a signal (finding key or alert finding id) belongs to, active or last known. */
  incidentOfSignal(fingerprint: string): string | undefined {
    for (const inc of this.active.values())
      if (inc.signals.some((s) => s.fingerprint === fingerprint)) return inc.id;
    const row = this.db
      .prepare("SELECT id FROM incidents WHERE body LIKE ? ORDER BY updated_at DESC LIMIT 1")
      .get(`%"fingerprint":${JSON.stringify(fingerprint)}%`) as { id: string } | undefined;
    return row?.id;
  }

  get database(): Db {
    return this.db;
  }

  private batch(
    now: number,
    body: (t: Topology, touch: (id: string | undefined) => void) => void,
  ): IncidentEvent[] {
    const before = new Map([...this.active].map(([id, inc]) => [id, visibleState(inc)]));
    const touched = new Set<string>();
    this.db.exec("BEGIN");
    try {
      body(this.topology(), (id) => id && touched.add(id));
      const events: IncidentEvent[] = [];
      for (const id of touched) {
        const inc = this.active.get(id);
        if (!inc) continue;
        const next = refresh(inc, now, this.opts);
        const was = before.get(id);
        if (was === undefined && !next.previous && !next.recurrenceOf) {
          const past = this.knowledge.recurrenceOf(next);
          if (past) next.recurrenceOf = past.incidentId;
        }
        this.rankHypotheses(next, now);
        this.store(next);
        if (was === undefined) events.push({ type: "opened", incident: next });
        else if (was !== visibleState(next)) events.push({ type: "updated", incident: next });
      }
      events.push(...this.resolveQuiet(now));
      this.db.exec("COMMIT");
      for (const fn of this.listeners) if (events.length > 0) fn(events);
      return events;
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  /** Records one signal; returns the id of the incident it now belongs to. */
  private observe(
    f: Finding,
    source: SignalState["source"],
    firing: boolean,
    at: number,
    t: Topology,
  ): string | undefined {
    const fingerprint = source === "finding" ? incidentKey(f) : f.id;
    for (const inc of this.active.values()) {
      const s = inc.signals.find((x) => x.fingerprint === fingerprint);
      if (!s) continue;
      if (!firing) s.resolvedAt = s.resolvedAt ?? at;
      else {
        if (s.resolvedAt !== undefined) s.episodes++;
        s.resolvedAt = undefined;
        s.lastAt = Math.max(s.lastAt, at);
      }
      s.finding = f;
      s.severity = f.severity;
      return inc.id;
    }
    // A resolved alert we never saw firing (restart, or Alertmanager's send_resolved only) is not news.
    if (!firing) return undefined;
    const signal: SignalState = {
      fingerprint,
      source,
      reason: f.reason,
      severity: f.severity,
      subject: f.subject,
      placement: place(f, t),
      firstAt: Math.min(at, f.time),
      lastAt: at,
      episodes: 1,
      finding: f,
    };
    return this.attach(signal, at);
  }

  private attach(signal: SignalState, now: number): string {
    const groups = [...this.active.values()].filter((inc) =>
      inc.signals.some((s) => related(s, signal, this.opts.windowMs)),
    );
    if (groups.length === 0) return this.open(signal, now);
    groups.sort((a, b) => a.openedAt - b.openedAt);
    const [keep, ...absorbed] = groups as [IncidentRecord, ...IncidentRecord[]];
    keep.signals.push(signal);
    for (const other of absorbed) {
      keep.signals.push(...other.signals);
      keep.actions = [...keep.actions, ...other.actions];
      keep.mergedFrom = [...(keep.mergedFrom ?? []), other.id, ...(other.mergedFrom ?? [])];
      this.active.delete(other.id);
      deleteIncident(this.db, other.id);
    }
    return keep.id;
  }

  private open(signal: SignalState, now: number): string {
    const old = this.getByKey(signal.fingerprint);
    const previous = old ? [...(old.previous ?? []), episodeOf(old)] : undefined;
    const inc: IncidentRecord = {
      id: old?.id ?? newId(),
      key: signal.fingerprint,
      title: "",
      status: "open",
      severity: signal.severity,
      subject: signal.subject,
      rootCause: "",
      findings: [],
      actions: old?.actions ?? [],
      openedAt: signal.firstAt,
      updatedAt: now,
      signals: [signal],
      ...(previous ? { previous } : {}),
    };
    this.active.set(inc.id, inc);
    return inc.id;
  }

  /**
   * Ranks when the incident opens or gains signals, then once a minute for 15 minutes: metrics
   * show a cause best some minutes after the onset, when the incident is already open.
   */
  private rankHypotheses(inc: IncidentRecord, now: number): void {
    if (!this.rank.hypotheses) return;
    const r = inc.ranked;
    const gained = r?.signals !== inc.signals.length;
    if (!gained && (now - r.at < 60_000 || now - r.since > 15 * 60_000)) return;
    try {
      inc.hypotheses = this.rank.hypotheses(inc);
      inc.ranked = { at: now, signals: inc.signals.length, since: gained ? now : r.since };
    } catch (e) {
      if (!this.rank.onError) throw e;
      this.rank.onError(e);
    }
  }

  private resolveQuiet(now: number): IncidentEvent[] {
    const events: IncidentEvent[] = [];
    for (const inc of [...this.active.values()]) {
      const quiet = inc.signals.map((s) => {
        if (s.source === "finding") return s.lastAt < now ? s.lastAt : undefined;
        if (s.resolvedAt !== undefined) return s.resolvedAt;
        return now - s.lastAt >= this.opts.staleAlertMs ? s.lastAt : undefined;
      });
      if (quiet.some((q) => q === undefined || now - q < this.opts.resolveAfterMs)) continue;
      const resolved: IncidentRecord = {
        ...inc,
        status: "resolved",
        resolvedAt: Math.max(...(quiet as number[])),
        updatedAt: now,
      };
      this.store(resolved);
      this.knowledge.record(resolved, inc.status === "escalated");
      events.push({ type: "resolved", incident: resolved });
    }
    return events;
  }

  private store(inc: IncidentRecord): void {
    if (inc.status === "resolved") this.active.delete(inc.id);
    else this.active.set(inc.id, inc);
    saveIncident(this.db, inc);
  }
}
