/**
 * Incident notifications to a generic JSON webhook and to Slack-compatible incoming webhooks
 * (`{"text": ...}` with mrkdwn, which Slack, Mattermost and Rocket.Chat accept). One post per
 * incident change: the manager emits events only on visible changes, and the notifier also
 * remembers the last state it sent per incident, so a repeated event never posts twice.
 * Delivery failures are kept (and retried once), never thrown into the loop.
 */
import type { Config } from "../config/config.ts";
import { isoTime } from "../core/clock.ts";
import { redactText } from "../core/redact.ts";
import type { IncidentEvent, IncidentManager } from "./incidents.ts";
import { visibleState } from "./lifecycle.ts";

export interface NotifyTarget {
  kind: "webhook" | "slack";
  url: string;
}

export interface Delivery {
  target: string;
  incidentId: string;
  type: IncidentEvent["type"];
  ok: boolean;
  status?: number;
  error?: string;
}

export function webhookBody(e: IncidentEvent): unknown {
  const i = e.incident;
  return {
    type: `incident.${e.type}`,
    incident: {
      id: i.id,
      title: redactText(i.title),
      status: i.status,
      severity: i.severity,
      subject: i.subject,
      rootCause: redactText(i.rootCause),
      signals: i.signals.length,
      openedAt: isoTime(i.openedAt),
      ...(i.diagnosedAt !== undefined ? { diagnosedAt: isoTime(i.diagnosedAt) } : {}),
      ...(i.resolvedAt !== undefined ? { resolvedAt: isoTime(i.resolvedAt) } : {}),
    },
  };
}

const ICON: Record<string, string> = {
  critical: ":red_circle:",
  warning: ":warning:",
  info: ":information_source:",
};

export function slackBody(e: IncidentEvent): { text: string } {
  const i = e.incident;
  const head =
    e.type === "resolved"
      ? `:white_check_mark: *Resolved*: ${i.title}`
      : `${ICON[i.severity] ?? ""} *${e.type === "opened" ? "New incident" : `Incident ${i.status}`}*: ${i.title}`;
  const lines = [
    head,
    `> ${i.rootCause}`,
    `${i.signals.length} signal(s) · opened ${isoTime(i.openedAt)} · id \`${i.id}\``,
  ];
  return { text: redactText(lines.join("\n")) };
}

export class Notifier {
  private readonly targets: NotifyTarget[];
  private readonly sent = new Map<string, string>();
  private readonly pending = new Set<Promise<void>>();
  readonly deliveries: Delivery[] = [];
  private readonly timeoutMs: number;

  constructor(targets: NotifyTarget[], opts: { timeoutMs?: number } = {}) {
    this.targets = targets;
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** Sends every change the manager reports from now on. */
  attach(manager: IncidentManager): void {
    manager.subscribe((events) => this.notify(events));
  }

  notify(events: IncidentEvent[]): void {
    for (const e of events) {
      const state = `${e.type}|${visibleState(e.incident)}`;
      if (this.sent.get(e.incident.id) === state) continue;
      this.sent.set(e.incident.id, state);
      for (const t of this.targets) {
        const p = this.deliver(t, e);
        this.pending.add(p);
        void p.finally(() => this.pending.delete(p));
      }
    }
  }

  /** Waits for deliveries in flight (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async deliver(t: NotifyTarget, e: IncidentEvent): Promise<void> {
    const body = JSON.stringify(t.kind === "slack" ? slackBody(e) : webhookBody(e));
    const d: Delivery = {
      target: t.url.replace(/\/\/[^/]*@/, "//"),
      incidentId: e.incident.id,
      type: e.type,
      ok: false,
    };
    for (let attempt = 0; attempt < 2 && !d.ok; attempt++) {
      try {
        const res = await fetch(t.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        d.status = res.status;
        d.ok = res.ok;
        await res.body?.cancel();
      } catch (err) {
        d.error = (err as Error).message;
      }
    }
    this.deliveries.push(d);
  }
}

/** The notifier the configuration asks for, or undefined when no target is configured. */
export function notifierFromConfig(
  config: Pick<Config, "notifyWebhookUrl" | "notifySlackUrl">,
): Notifier | undefined {
  const targets: NotifyTarget[] = [];
  if (config.notifyWebhookUrl) targets.push({ kind: "webhook", url: config.notifyWebhookUrl });
  if (config.notifySlackUrl) targets.push({ kind: "slack", url: config.notifySlackUrl });
  return targets.length > 0 ? new Notifier(targets) : undefined;
}
