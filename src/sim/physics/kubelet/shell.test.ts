import { describe, expect, it } from "vitest";
import { runScript, shellScript } from "./shell.ts";

const texts = (script: string, env: Record<string, string> = {}) => runScript(script, env);

describe("sh -c interpreter", () => {
  it("logs the missing variable's name and exits 1 when it is empty", () => {
    const script =
      'if [ -z "$DB_URL" ]; then echo "DB_URL is not set" >&2; exit 1; fi; exec /server';
    expect(texts(script)).toEqual({
      lines: [{ at: 0, text: "DB_URL is not set" }],
      exit: { at: 0, code: 1 },
    });
    expect(texts(script, { DB_URL: "postgres://db" })).toEqual({ lines: [], exit: undefined });
  });

  it("handles || with a brace group, && chains and else branches", () => {
    expect(texts('[ -n "$X" ] || { echo "X missing"; exit 2; }; echo never').exit).toEqual({
      at: 0,
      code: 2,
    });
    expect(texts("true && echo yes || echo no").lines.map((l) => l.text)).toEqual(["yes"]);
    expect(texts("false && echo yes || echo no").lines.map((l) => l.text)).toEqual(["no"]);
    const branch = 'if [ "$MODE" = "prod" ]; then echo prod; else echo dev; fi';
    expect(texts(branch, { MODE: "prod" }).lines[0]?.text).toBe("prod");
    expect(texts(branch).lines[0]?.text).toBe("dev");
  });

  it("expands braced variables with defaults and keeps single quotes literal", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell script, not a template.
    const r = texts("echo \"url=${URL:-none}\" '$URL' ${PORT}", { PORT: "8080" });
    expect(r.lines[0]?.text).toBe("url=none $URL 8080");
  });

  it("times lines after sleeps and runs for ever after sleep infinity", () => {
    const r = texts("echo start; sleep 5; echo later; sleep infinity; echo never");
    expect(r.lines).toEqual([
      { at: 0, text: "start" },
      { at: 5, text: "later" },
    ]);
    expect(r.exit).toBeUndefined();
  });

  it("ends with the last command's status when the script runs out", () => {
    expect(texts("echo done").exit).toEqual({ at: 0, code: 0 });
    expect(texts("sleep 2; false").exit).toEqual({ at: 2, code: 1 });
  });

  it("finds the script in command or args", () => {
    expect(shellScript(["/bin/sh", "-c", "echo a"], undefined)).toBe("echo a");
    expect(shellScript(["sh", "-c"], ["echo b"])).toBe("echo b");
    expect(shellScript(["/app/server"], ["--port=80"])).toBeUndefined();
  });
});
