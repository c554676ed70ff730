import { OpsloopError } from "../../core/errors.ts";
/** Aligned plain-text tables for `--output table`: two spaces between columns, no trailing blanks. */
export function formatTable(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  return `${[line(columns), ...rows.map(line)].join("\n")}\n`;
}

/** Checks an `--output` flag against the formats a command supports (a user error otherwise). */
export function outputFormat<T extends string>(value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new OpsloopError("invalid_input", `--output must be ${allowed.join(", ")}; got "${value}"`);
}
