/**
 * `opsloop incidents list|show|similar|ack --db FILE`: stored incidents, one incident with its
 * grouped signals and similar past incidents, a text search of past incidents, acknowledgement.
 */
import type { Command } from "commander";
import { goDuration, isoTime, systemClock } from "../../../core/clock.ts";
import { OpsloopError } from "../../../core/errors.ts";
import { IncidentManager } from "../../../incidents/incidents.ts";
import type { IncidentRecord } from "../../../incidents/record.ts";
import { openDb } from "../../../store/sqlite.ts";
import { outputFormat } from "../table.ts";
import { dbFile } from "./report.ts";

interface Flags {
  db?: string;
  output: string;
}

function withManager<T>(flags: Flags, fn: (m: IncidentManager) => T): T {
  outputFormat(flags.output, ["table", "json"] as const);
  const db = openDb(dbFile(flags.db));
  try {
    return fn(new IncidentManager(db));
  } finally {
    db.close();
  }
}

function line(i: IncidentRecord): string {
  const dur = i.resolvedAt !== undefined ? goDuration(i.resolvedAt - i.openedAt) : "-";
  return `${i.id.slice(0, 8)}  ${i.status.padEnd(11)}  ${i.severity.padEnd(8)}  ${isoTime(i.openedAt)}  ${dur.padEnd(8)}  ${String(i.signals.length).padStart(4)}  ${i.title}`;
}

export function runIncidentsList(flags: Flags & { status?: string }): string {
  return withManager(flags, (m) => {
    const all = m.list(flags.status ? { status: flags.status as IncidentRecord["status"] } : {});
    if (flags.output === "json") return `${JSON.stringify(all, null, 2)}\n`;
    const head = `${"ID".padEnd(8)}  ${"STATUS".padEnd(11)}  ${"SEVERITY".padEnd(8)}  ${"OPENED".padEnd(20)}  ${"MTTR".padEnd(8)}  SIGS  TITLE`;
    return `${[head, ...all.map(line)].join("\n")}\n`;
  });
}

function find(m: IncidentManager, id: string): IncidentRecord {
  const hit = m.get(id) ?? m.list().find((i) => i.id.startsWith(id));
  if (!hit) throw new OpsloopError("invalid_input", `no incident ${id}`);
  return hit;
}

export function runIncidentsShow(id: string, flags: Flags): string {
  return withManager(flags, (m) => {
    const inc = find(m, id);
    const similar = m.knowledge.similar(inc);
    if (flags.output === "json") return `${JSON.stringify({ incident: inc, similar }, null, 2)}\n`;
    const out = [
      `${inc.title}`,
      `id ${inc.id}  status ${inc.status}  severity ${inc.severity}`,
      `root cause: ${inc.rootCause}`,
      `opened ${isoTime(inc.openedAt)}${inc.diagnosedAt ? `  diagnosed ${isoTime(inc.diagnosedAt)}` : ""}${inc.resolvedAt ? `  resolved ${isoTime(inc.resolvedAt)}` : ""}`,
      `signals (${inc.signals.length}):`,
      ...inc.signals
        .slice(0, 20)
        .map(
          (s) =>
            `  ${s.reason} ${s.subject.kind}/${s.subject.namespace ? `${s.subject.namespace}/` : ""}${s.subject.name}${s.resolvedAt ? " (resolved)" : ""}`,
        ),
      ...(inc.signals.length > 20 ? [`  ... ${inc.signals.length - 20} more`] : []),
      ...inc.actions.map(
        (a) => `action: ${a.runbook}/${a.action} ${a.verdict} ${a.result} ${isoTime(a.time)}`,
      ),
      "similar past incidents:",
      ...(similar.length
        ? similar.map(
            (s) =>
              `  ${s.score.toFixed(2)}  ${s.entry.title} → ${s.entry.outcome}${s.entry.runbook ? ` (runbook ${s.entry.runbook})` : ""}`,
          )
        : ["  none"]),
    ];
    return `${out.join("\n")}\n`;
  });
}

export function runIncidentsSimilar(query: string, flags: Flags): string {
  return withManager(flags, (m) => {
    const hits = m.knowledge.similar(query, { limit: 10 });
    if (flags.output === "json") return `${JSON.stringify(hits, null, 2)}\n`;
    return `${hits.map((s) => `${s.score.toFixed(2)}  ${isoTime(s.entry.resolvedAt)}  ${s.entry.title}  → ${s.entry.outcome}`).join("\n")}\n`;
  });
}

export function registerIncidentsCommand(program: Command): void {
  const cmd = program
    .command("incidents")
    .description("stored incidents and past-incident knowledge");
  const common = (c: Command) =>
    c
      .option("--db <file>", "SQLite database file (default: OPSLOOP_DB)")
      .option("--output <format>", "table or json", "table");
  common(
    cmd
      .command("list")
      .description("incidents, oldest first")
      .option("--status <status>", "only this status"),
  ).action((flags: Flags & { status?: string }) => {
    process.stdout.write(runIncidentsList(flags));
  });
  common(
    cmd
      .command("show <id>")
      .description("one incident (id or id prefix) with its signals and similar past incidents"),
  ).action((id: string, flags: Flags) => {
    process.stdout.write(runIncidentsShow(id, flags));
  });
  common(
    cmd.command("similar <query>").description("past incidents most similar to a text"),
  ).action((query: string, flags: Flags) => {
    process.stdout.write(runIncidentsSimilar(query, flags));
  });
  common(
    cmd
      .command("ack <id>")
      .description("acknowledge an incident (MTTA)")
      .option("--by <name>", "who", "cli"),
  ).action((id: string, flags: Flags & { by: string }) =>
    withManager(flags, (m) => {
      const inc = m.acknowledge(find(m, id).id, flags.by, systemClock.now());
      process.stdout.write(`acknowledged ${inc?.id} at ${isoTime(inc?.acknowledgedAt ?? 0)}\n`);
    }),
  );
}
