/**
 * A tiny `sh -c` interpreter for container commands, so a manifest's own script decides what
 * the simulated container does: echo (with $VAR / ${VAR} / ${VAR:-default} expansion and
 * quotes), exit, sleep (incl. infinity), true/false, [ / test, if/then/else/fi, &&, ||, ;.
 * Any other command is taken to be the long-running server process (e.g. `exec /app/server`).
 */

export interface ScriptPlan {
  /** Lines written, at seconds after the start. */
  lines: Array<{ at: number; text: string }>;
  /** When and how the process ends; undefined when it runs until killed. */
  exit: { at: number; code: number } | undefined;
}

type Token = { op: string } | { word: string; bare: boolean };

const OPS = ["&&", "||", ";", "\n", "|", "&"];

function expand(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\?))/g,
    (_m, a, def, b) => {
      const name = (a ?? b) as string | undefined;
      if (!name) return "0";
      const v = env[name];
      return v === undefined || v === "" ? (def ?? "") : v;
    },
  );
}

export function tokenize(script: string, env: Record<string, string>): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < script.length) {
    const c = script[i] as string;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < script.length && script[i] !== "\n") i++;
      continue;
    }
    const redirect = /^\d?>&\d/.exec(script.slice(i, i + 4));
    if (redirect) {
      i += redirect[0].length;
      continue;
    }
    const op = OPS.find((o) => script.startsWith(o, i));
    if (op) {
      out.push({ op: op === "\n" || op === "&" ? ";" : op === "|" ? "&&" : op });
      i += op.length;
      continue;
    }
    let word = "";
    let bare = true;
    let quoted = false;
    while (i < script.length && !" \t\n;&|".includes(script[i] as string)) {
      const ch = script[i] as string;
      if (ch === "'" || ch === '"') {
        const end = script.indexOf(ch, i + 1);
        const body = script.slice(i + 1, end < 0 ? script.length : end);
        word += ch === "'" ? body : expand(body.replace(/\\(["\\$`])/g, "$1"), env);
        i = end < 0 ? script.length : end + 1;
        bare = false;
        quoted = true;
        continue;
      }
      let j = i;
      while (j < script.length && !" \t\n;&|'\"".includes(script[j] as string)) j++;
      const raw = script.slice(i, j);
      word += expand(raw, env);
      if (raw.includes("$")) bare = false;
      i = j;
    }
    // An unquoted expansion to nothing disappears (word splitting).
    if (word !== "" || quoted) out.push({ word, bare });
  }
  return out;
}

interface State {
  time: number;
  lines: ScriptPlan["lines"];
  status: number;
  done: boolean;
  exit: ScriptPlan["exit"];
}

class Interpreter {
  private pos = 0;
  private readonly tokens: Token[];
  private readonly st: State;
  constructor(tokens: Token[], st: State) {
    this.tokens = tokens;
    this.st = st;
  }

  private peekWord(): string | undefined {
    const t = this.tokens[this.pos];
    return t && "word" in t && t.bare ? t.word : undefined;
  }

  /** Runs statements until one of `stop` keywords (not consumed) or the end. */
  list(stop: string[], run: boolean): void {
    while (this.pos < this.tokens.length) {
      const t = this.tokens[this.pos] as Token;
      if ("op" in t) {
        this.pos++;
        continue;
      }
      if (t.bare && stop.includes(t.word)) return;
      this.andOr(run);
    }
  }

  private andOr(run: boolean): void {
    let execute = run;
    this.command(execute);
    for (;;) {
      const t = this.tokens[this.pos];
      if (!t || !("op" in t) || (t.op !== "&&" && t.op !== "||")) return;
      this.pos++;
      const ok = this.st.status === 0;
      execute = run && !this.st.done && (t.op === "&&" ? ok : !ok);
      this.command(execute);
    }
  }

  private command(run: boolean): void {
    if (this.peekWord() === "if") {
      this.ifClause(run);
      return;
    }
    if (this.peekWord() === "{") {
      this.pos++;
      this.list(["}"], run);
      this.pos++;
      return;
    }
    const words: string[] = [];
    while (this.pos < this.tokens.length) {
      const t = this.tokens[this.pos] as Token;
      if ("op" in t) break;
      words.push(t.word);
      this.pos++;
    }
    if (run && !this.st.done) simple(words, this.st);
  }

  private ifClause(run: boolean): void {
    this.pos++;
    this.list(["then"], run);
    const cond = this.st.status === 0;
    this.pos++;
    this.list(["else", "elif", "fi"], run && cond && !this.st.done);
    const kw = this.peekWord();
    if (kw === "elif") {
      this.ifClause(run && !cond);
      return;
    }
    if (kw === "else") {
      this.pos++;
      this.list(["fi"], run && !cond && !this.st.done);
    }
    this.pos++;
    if (run && !this.st.done && !cond && kw !== "else") this.st.status = 0;
  }
}

function test(args: string[]): boolean {
  if (args[0] === "!") return !test(args.slice(1));
  if (args.length === 0) return false;
  if (args.length === 1) return args[0] !== "";
  const [a, op, b] = args as [string, string, string | undefined];
  if (args.length === 2) {
    if (a === "-z") return op === "";
    if (a === "-n") return op !== "";
    return false; // -f, -d, -e: the simulated filesystem is empty
  }
  const x = Number(a);
  const y = Number(b);
  const cmp: Record<string, boolean> = {
    "=": a === b,
    "==": a === b,
    "!=": a !== b,
    "-eq": x === y,
    "-ne": x !== y,
    "-gt": x > y,
    "-ge": x >= y,
    "-lt": x < y,
    "-le": x <= y,
  };
  return cmp[op] ?? false;
}

function simple(input: string[], st: State): void {
  const words = input.filter((w) => !/^\d?>&?\d?$/.test(w) && !/^\d?>/.test(w));
  if (words[0] === "exec") words.shift();
  const [cmd, ...args] = words;
  if (cmd === undefined) return;
  if (cmd === "echo" || cmd === "printf") {
    const parts = args.filter((a) => !/^-[neE]+$/.test(a));
    const text = parts.join(" ").replace(/\\n$/, "");
    for (const line of text.split(cmd === "printf" ? /\\n/ : /\n/)) {
      if (cmd === "printf" && line === "") continue;
      st.lines.push({ at: st.time, text: line });
    }
    st.status = 0;
  } else if (cmd === "exit") {
    st.exit = { at: st.time, code: Number.parseInt(args[0] ?? String(st.status), 10) || 0 };
    st.done = true;
  } else if (cmd === "sleep") {
    const n = Number.parseFloat(args[0] ?? "0");
    if (args[0] === "infinity" || !Number.isFinite(n)) st.done = true;
    else st.time += n;
    st.status = 0;
  } else if (cmd === "true" || cmd === ":") {
    st.status = 0;
  } else if (cmd === "false") {
    st.status = 1;
  } else if (cmd === "[" || cmd === "test" || cmd === "[[") {
    const a = cmd === "test" ? args : args.slice(0, -1);
    st.status = test(a) ? 0 : 1;
  } else {
    // The container's real work: a process that runs until it is killed.
    st.done = true;
  }
}

/** Plans a `sh -c` script's output and exit. */
export function runScript(script: string, env: Record<string, string>): ScriptPlan {
  const st: State = { time: 0, lines: [], status: 0, done: false, exit: undefined };
  new Interpreter(tokenize(script, env), st).list([], true);
  if (!st.done) st.exit = { at: st.time, code: st.status };
  return { lines: st.lines, exit: st.exit };
}

/** The script when the container runs `sh -c "<script>"` (via command and/or args). */
export function shellScript(
  command: string[] | undefined,
  args: string[] | undefined,
): string | undefined {
  const argv = [...(command ?? []), ...(args ?? [])];
  const shell = argv[0]?.split("/").pop();
  if (!shell || !["sh", "bash", "ash", "dash"].includes(shell)) return undefined;
  const c = argv.indexOf("-c");
  if (c < 0) return undefined;
  return argv[c + 1];
}
