/**
 * Human renderings of a report: an aligned table (one block per finding: the row, then root
 * cause and fix indented, since a root cause is a sentence too long for a column) and Markdown
 * for tickets and pull requests. Colour only when asked (the CLI asks on a TTY without NO_COLOR).
 */
import type { Finding, Severity } from "../../core/types.ts";
import { type DiagnoseReport, subjectName } from "./report.ts";

const COLOURS: Record<Severity, string> = {
  critical: "\x1b[31m",
  warning: "\x1b[33m",
  info: "\x1b[36m",
};

export function renderTable(report: DiagnoseReport, opts: { colour?: boolean } = {}): string {
  if (!report.findings.length) return "No problems found.\n";
  const paint = (sev: Severity, s: string) => (opts.colour ? `${COLOURS[sev]}${s}\x1b[0m` : s);
  const sevWidth = 8;
  const subjWidth = Math.max(...report.findings.map((f) => subjectName(f).length));
  const lines: string[] = [];
  for (const f of report.findings) {
    const sev = paint(f.severity, f.severity.toUpperCase().padEnd(sevWidth));
    lines.push(`${sev}  ${subjectName(f).padEnd(subjWidth)}  ${f.reason}`.trimEnd());
    lines.push(`          ${f.rootCause}`);
    if (f.fix) lines.push(`          fix: ${f.fix.command ?? f.fix.description}`);
    const why = report.explanations?.[f.id];
    if (why) lines.push(`          explained: ${why.replace(/\s+/g, " ")}`);
  }
  const s = report.summary;
  lines.push(
    "",
    `${s.total} finding${s.total === 1 ? "" : "s"}: ${s.critical} critical, ${s.warning} warning, ${s.info} info`,
  );
  return `${lines.join("\n")}\n`;
}

/** Markdown escapes only what breaks a list item or inline code here. */
function md(s: string): string {
  return s.replace(/([\\`*_[\]<>|])/g, "\\$1");
}

function findingMarkdown(f: Finding, explanation?: string): string {
  const out = [
    `### ${f.severity === "critical" ? "🔴" : f.severity === "warning" ? "🟠" : "🔵"} ${md(subjectName(f))}: ${md(f.reason)}`,
    "",
    md(f.rootCause),
    "",
    `- severity: ${f.severity}, confidence ${f.confidence}, analyzer \`${f.source}\``,
  ];
  if (f.affected.length)
    out.push(
      `- affected: ${f.affected
        .slice(0, 10)
        .map((a) => md(`${a.kind}/${a.name}`))
        .join(", ")}${f.affected.length > 10 ? ` and ${f.affected.length - 10} more` : ""}`,
    );
  if (f.evidence.length) {
    out.push("", "Evidence:", "");
    for (const e of f.evidence) out.push(`- ${e.type}: ${md(e.text)}`);
  }
  if (explanation) out.push("", `> ${md(explanation.replace(/\s+/g, " "))}`);
  if (f.fix) {
    out.push("", `Fix: ${md(f.fix.description)}`);
    if (f.fix.command) out.push("", "```sh", f.fix.command, "```");
    else if (f.fix.patch) out.push("", "```json", JSON.stringify(f.fix.patch, null, 2), "```");
  }
  return out.join("\n");
}

export function renderMarkdown(report: DiagnoseReport): string {
  const s = report.summary;
  const head = [
    `## opsloop diagnose${report.context ? `: ${md(report.context)}` : ""}`,
    "",
    `${s.total} finding${s.total === 1 ? "" : "s"} (${s.critical} critical, ${s.warning} warning, ${s.info} info) at ${report.generatedAt}.`,
  ];
  return `${[...head, ...report.findings.map((f) => `\n${findingMarkdown(f, report.explanations?.[f.id])}`)].join("\n")}\n`;
}
