/** opsloop's version, from the package.json beside src/ (SARIF tool.driver.version, /healthz, MCP). */
import { readFileSync } from "node:fs";

let cached: string | undefined;

export function opsloopVersion(): string {
  cached ??=
    (
      JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
        version?: string;
      }
    ).version ?? "0.0.0";
  return cached;
}
