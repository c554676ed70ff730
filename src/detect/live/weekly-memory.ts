/**
 * What was surprising at this time of the week, a week ago. Weekly patterns (the weekend starts at
 * Saturday 00:00, a Monday-morning campaign) repeat every 7 days, which the ensemble's own
 * recurrence check cannot see once a week is longer than its 4,096-point ring (a week at one
 * point a minute is 10,080 points). This keeps, per series, the strongest score in each
 * 10-minute slot of the week for this week and the last: at most 1,008 slots, sparse, only for
 * notable scores, so it stays small and plain JSON.
 */
const WEEK_MS = 7 * 86_400_000;
const SLOT_MS = 10 * 60_000;
const SLOTS = WEEK_MS / SLOT_MS;

/** Scores below this are not remembered: nothing to damp later. */
const NOTABLE = 0.3;

/** slot → [week number, this week's max score, last week's max score]. */
export type WeeklyMemory = Record<number, [number, number, number]>;

const slotOf = (t: number) => Math.floor((t % WEEK_MS) / SLOT_MS);
const weekOf = (t: number) => Math.floor(t / WEEK_MS);

/** An independent copy (what structuredClone gave, without its cost). */
export function cloneWeekly(m: WeeklyMemory): WeeklyMemory {
  const out: WeeklyMemory = {};
  for (const [slot, e] of Object.entries(m)) out[Number(slot)] = [e[0], e[1], e[2]];
  return out;
}

/** The strongest score a week earlier around `t` (±1 slot). */
export function lastWeek(m: WeeklyMemory, t: number): number {
  const w = weekOf(t);
  const s = slotOf(t);
  let best = 0;
  for (const d of [-1, 0, 1]) {
    const slot = (s + d + SLOTS) % SLOTS;
    // A neighbouring slot across the week boundary belongs to the adjacent week number.
    const wk = s + d < 0 ? w - 1 : s + d >= SLOTS ? w + 1 : w;
    const e = m[slot];
    if (!e) continue;
    if (e[0] === wk) best = Math.max(best, e[2]);
    else if (e[0] === wk - 1) best = Math.max(best, e[1]);
  }
  return best;
}

export function remember(m: WeeklyMemory, t: number, score: number): void {
  if (score < NOTABLE) return;
  const w = weekOf(t);
  const slot = slotOf(t);
  const e = m[slot];
  if (!e) m[slot] = [w, score, 0];
  else if (e[0] === w) e[1] = Math.max(e[1], score);
  else m[slot] = [w, score, e[0] === w - 1 ? e[1] : 0];
}
