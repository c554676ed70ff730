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

/**
 * Checks an `--output` flag against the formats a command supports (a user error, exit 2,
 * otherwise). `aliases` maps other accepted spellings (e.g. `table` for `text`) to a format.
 */
export function outputFormat<T extends string>(
  value: string,
  allowed: readonly T[],
  aliases: Readonly<Record<string, T>> = {},
): T {
  const alias = Object.hasOwn(aliases, value) ? aliases[value] : undefined;
  return alias ?? flagChoice("--output", value, [...allowed, ...Object.keys(aliases)] as T[]);
}

/** Checks a flag that takes one of a few words (`--output`, `--status`); a user error otherwise. */
export function flagChoice<T extends string>(
  flag: string,
  value: string,
  allowed: readonly T[],
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const words =
    allowed.length > 1 ? `${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)}` : allowed[0];
  throw new OpsloopError("invalid_input", `${flag} must be ${words}; got "${value}"`);
}
