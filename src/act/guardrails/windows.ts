/**
 * Maintenance windows: a cron start, a duration and a time zone (as kured's --start-time /
 * --end-time / --time-zone and Karpenter's disruption budget schedules). `allowOnlyInside`
 * windows confine matching actions to them; `denyInside` windows forbid them there.
 */
import { CronExpressionParser } from "cron-parser";
import { parseDuration } from "../../core/clock.ts";
import type { GuardrailRequest } from "./policy.ts";
import { coversAction, type MaintenanceWindow } from "./schema.ts";

/** True when `now` lies in [start, start + duration) of the window's latest start at or before now. */
export function insideWindow(w: MaintenanceWindow, now: number): boolean {
  // prev() is strictly before currentDate, so ask from 1 ms later to include a start at `now`.
  const cron = CronExpressionParser.parse(w.schedule, {
    currentDate: new Date(now + 1),
    tz: w.timezone,
  });
  const start = cron.prev().getTime();
  return now >= start && now < start + parseDuration(w.duration);
}

export function windowReasons(windows: MaintenanceWindow[], req: GuardrailRequest): string[] {
  const relevant = windows.filter((w) => coversAction(w.actions, req.action));
  if (relevant.length === 0) return [];
  const now = req.now;
  if (now === undefined)
    return ["maintenance windows apply but the time of the request is unknown"];
  const reasons: string[] = [];
  for (const w of relevant)
    if (w.effect === "denyInside" && insideWindow(w, now))
      reasons.push(`${w.name}: ${req.action} is not allowed during this window`);
  const allowOnly = relevant.filter((w) => w.effect === "allowOnlyInside");
  if (allowOnly.length && !allowOnly.some((w) => insideWindow(w, now)))
    reasons.push(
      `${req.action} runs only inside maintenance windows (${allowOnly.map((w) => w.name).join(", ")})`,
    );
  return reasons;
}
