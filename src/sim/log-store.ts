/**
 * Container logs as the kubelet keeps them: the current and the previous instance of each
 * container, with timestamps, bounded in size. Followers get new lines as they are written.
 */
export interface LogLine {
  time: number;
  text: string;
}

interface ContainerLogs {
  current: LogLine[];
  previous: LogLine[] | undefined;
}

const MAX_LINES = 5000;

export class LogStore {
  private readonly logs = new Map<string, ContainerLogs>();
  private readonly followers = new Map<string, Set<(line: LogLine) => void>>();

  private key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`;
  }

  append(namespace: string, pod: string, container: string, time: number, text: string): void {
    const k = this.key(namespace, pod, container);
    let c = this.logs.get(k);
    if (!c) {
      c = { current: [], previous: undefined };
      this.logs.set(k, c);
    }
    const line = { time, text };
    c.current.push(line);
    if (c.current.length > MAX_LINES) c.current.splice(0, c.current.length - MAX_LINES);
    for (const f of this.followers.get(k) ?? []) f(line);
  }

  /** A container restarted: its current log becomes the previous one. */
  rotate(namespace: string, pod: string, container: string): void {
    const k = this.key(namespace, pod, container);
    const c = this.logs.get(k);
    if (!c) return;
    c.previous = c.current;
    c.current = [];
  }

  read(namespace: string, pod: string, container: string, previous = false): LogLine[] | undefined {
    const c = this.logs.get(this.key(namespace, pod, container));
    if (!c) return previous ? undefined : [];
    return previous ? c.previous : c.current;
  }

  follow(
    namespace: string,
    pod: string,
    container: string,
    fn: (line: LogLine) => void,
  ): () => void {
    const k = this.key(namespace, pod, container);
    let set = this.followers.get(k);
    if (!set) {
      set = new Set();
      this.followers.set(k, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Forget a deleted pod's logs. */
  dropPod(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const k of this.logs.keys()) if (k.startsWith(prefix)) this.logs.delete(k);
  }
}
