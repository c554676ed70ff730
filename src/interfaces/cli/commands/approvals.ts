/**
 * `opsloop approvals list|approve|reject --db FILE`: the human side of actions the guardrails
 * hold for approval. The operator running this has the database in hand, so an id suffices;
 * `--token` additionally checks the one-time token when one was handed out.
 */
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import type { Command } from "commander";
import { type Approval, type ApprovalStatus, ApprovalStore } from "../../../act/approvals/store.ts";
import { AuditLog } from "../../../act/audit.ts";
import { isoTime, systemClock } from "../../../core/clock.ts";
import { OpsloopError } from "../../../core/errors.ts";
import { openDb } from "../../../store/sqlite.ts";
import { flagChoice, formatTable, outputFormat } from "../table.ts";

const STATUSES: ApprovalStatus[] = ["pending", "approved", "rejected", "expired"];

function withStore<T>(db: string, fn: (store: ApprovalStore) => T): T {
  if (!existsSync(db)) throw new OpsloopError("invalid_input", `no database at ${db}`);
  const handle = openDb(db);
  try {
    return fn(
      new ApprovalStore({
        db: handle,
        audit: new AuditLog(handle, systemClock),
        clock: systemClock,
      }),
    );
  } finally {
    handle.close();
  }
}

const FORMATS = ["table", "json"] as const;

function print(approvals: Approval[], output: (typeof FORMATS)[number]): void {
  if (output === "json") {
    process.stdout.write(`${JSON.stringify(approvals, null, 2)}\n`);
    return;
  }
  const rows = approvals.map((a) => [
    a.id,
    a.status,
    a.action,
    `${a.target.kind}/${a.target.namespace ? `${a.target.namespace}/` : ""}${a.target.name}`,
    isoTime(a.createdAt),
    a.decidedBy ?? "",
    a.summary,
  ]);
  process.stdout.write(
    formatTable(["ID", "STATUS", "ACTION", "TARGET", "CREATED", "BY", "SUMMARY"], rows),
  );
}

function actorOf(flag: string | undefined): string {
  return flag ?? `cli:${userInfo().username}`;
}

export function registerApprovalsCommand(program: Command): void {
  const cmd = program.command("approvals").description("actions waiting for a human decision");
  cmd
    .command("list")
    .description("list approval requests (pending first by default)")
    .requiredOption("--db <file>", "SQLite database file")
    .option("--status <status>", `only this status: ${STATUSES.join(", ")}`)
    .option("--output <format>", "table or json", "table")
    .action((flags: { db: string; status?: string; output: string }) => {
      const output = outputFormat(flags.output, FORMATS);
      const status =
        flags.status === undefined ? undefined : flagChoice("--status", flags.status, STATUSES);
      print(
        withStore(flags.db, (s) => s.list(status ? { status } : {})),
        output,
      );
    });
  cmd
    .command("approve <id>")
    .description("approve a pending action; the agent applies it on its next check")
    .requiredOption("--db <file>", "SQLite database file")
    .option("--token <token>", "the one-time token, when one was handed out")
    .option("--actor <name>", "who approves (default cli:<user>)")
    .option("--output <format>", "table or json", "table")
    .action((id: string, flags: { db: string; token?: string; actor?: string; output: string }) => {
      // Checked before the decision: a typo must not approve and then fail to print.
      const output = outputFormat(flags.output, FORMATS);
      const a = withStore(flags.db, (s) =>
        s.approve(id, {
          actor: actorOf(flags.actor),
          ...(flags.token ? { token: flags.token } : {}),
        }),
      );
      print([a], output);
    });
  cmd
    .command("reject <id>")
    .description("reject a pending action with a reason")
    .requiredOption("--db <file>", "SQLite database file")
    .requiredOption("--reason <text>", "why (kept in the audit log)")
    .option("--actor <name>", "who rejects (default cli:<user>)")
    .option("--output <format>", "table or json", "table")
    .action((id: string, flags: { db: string; reason: string; actor?: string; output: string }) => {
      const output = outputFormat(flags.output, FORMATS);
      const a = withStore(flags.db, (s) =>
        s.reject(id, { actor: actorOf(flags.actor), reason: flags.reason }),
      );
      print([a], output);
    });
}
