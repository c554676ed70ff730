/**
 * Flat-run channel: a series that sits on one exact value for longer than it ever has before — a
 * stuck sensor, a writer that stopped, traffic gone to zero, a gauge no longer updated. A run of
 * equal values counts once it is at least `minRun` points long and longer than every earlier
 * completed run; it fires once, at the point it breaks the record. A run that began with the stream
 * is never compared (how long it had lasted before we started watching is unknown), so a series
 * that was constant from the start is not flagged. O(1) per point, four numbers of state.
 */

export interface FlatRunState {
  started: boolean;
  last: number;
  run: number;
  /** Longest completed run, the first one included (it lasted at least that long). */
  record: number;
  /** The current run began with the stream, or has already fired. */
  silent: boolean;
}

export interface FlatRunOptions {
  minRun: number;
}

export const FLAT_RUN_DEFAULTS: FlatRunOptions = { minRun: 20 };

export function newFlatRunState(): FlatRunState {
  return { started: false, last: 0, run: 0, record: 0, silent: true };
}

/** An independent copy. */
export function flatRunClone(s: FlatRunState): FlatRunState {
  return { ...s };
}

/** Pushes a value; true at the point where the current run of equal values sets a new record. */
export function flatRunUpdate(s: FlatRunState, v: number, o = FLAT_RUN_DEFAULTS): boolean {
  if (v === s.last && s.started) s.run++;
  else {
    if (s.run > s.record) s.record = s.run;
    s.silent = !s.started;
    s.started = true;
    s.last = v;
    s.run = 1;
    return false;
  }
  if (s.silent || s.run < o.minRun || s.run <= s.record) return false;
  s.silent = true;
  return true;
}
