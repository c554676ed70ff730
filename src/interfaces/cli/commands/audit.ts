/** `opsloop audit list|verify|export --db FILE`: read, verify and export the hash-chained audit log. */
import { closeSync, existsSync, openSync, writeSync } from "node:fs";
import type { Command } from "commander";
import { AuditLog } from "../../../act/audit.ts";
import { isoTime, systemClock } from "../../../core/clock.ts";
import { OpsloopError } from "../../../core/errors.ts";
import { openDb } from "../../../store/sqlite.ts";
import { outputFormat } from "../table.ts";

function openAudit(db: string): { log: AuditLog; close: () => void } {
  if (!existsSync(db)) throw new OpsloopError("invalid_input", `no database at ${db}`);
  const handle = openDb(db);
  return { log: new AuditLog(handle, systemClock), close: () => handle.close() };
}

export function registerAuditCommand(program: Command): void {
  const audit = program.command("audit").description("inspect the audit log of actions");
  audit
    .command("verify")
    .description("recompute the hash chain; exit 1 if any record was altered, removed or reordered")
    .requiredOption("--db <file>", "SQLite database file")
    .action((flags: { db: string }) => {
      const { log, close } = openAudit(flags.db);
      const v = log.verify();
      close();
      if (!v.ok)
        throw new OpsloopError("conflict", `audit chain broken at record ${v.seq}: ${v.reason}`);
      process.stdout.write(`audit chain verified: ${v.count} records\n`);
    });
  audit
    .command("export")
    .description("write every record as JSON lines (oldest first) to stdout or a file")
    .requiredOption("--db <file>", "SQLite database file")
    .option("--file <path>", "write here instead of stdout")
    .option("--since <time>", "only records at or after this ISO time")
    .action((flags: { db: string; file?: string; since?: string }) => {
      const since = flags.since === undefined ? undefined : Date.parse(flags.since);
      if (since !== undefined && Number.isNaN(since))
        throw new OpsloopError(
          "invalid_input",
          `--since must be an ISO time; got "${flags.since}"`,
        );
      const { log, close } = openAudit(flags.db);
      const fd = flags.file ? openSync(flags.file, "w") : 1;
      try {
        for (const line of log.exportLines(since === undefined ? {} : { since }))
          writeSync(fd, `${line}\n`);
      } finally {
        if (fd !== 1) closeSync(fd);
        close();
      }
    });
  audit
    .command("list")
    .description("print the latest audit records")
    .requiredOption("--db <file>", "SQLite database file")
    .option("--limit <n>", "how many records", "50")
    .option("--output <format>", "text (alias table) or json", "text")
    .action((flags: { db: string; limit: string; output: string }) => {
      const output = outputFormat(flags.output, ["text", "json"] as const, { table: "text" });
      const { log, close } = openAudit(flags.db);
      const records = log.list({ limit: Number(flags.limit) || 50 });
      close();
      if (output === "json") {
        process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
        return;
      }
      for (const r of records) {
        const target = r.target as { namespace?: string; name?: string } | undefined;
        process.stdout.write(
          `${r.seq}\t${isoTime(r.time)}\t${r.action}\t${target?.namespace ?? ""}/${target?.name ?? ""}\t${r.result}\t${r.id}\n`,
        );
      }
    });
}
