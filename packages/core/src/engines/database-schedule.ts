import { InvalidRequestError } from '../errors.js';

/** One field of a standard 5-field cron expression, as the set of values it allows. */
function field(text: string, min: number, max: number, name: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new InvalidRequestError(`invalid rotation_schedule: bad step in ${name}`);
    let lo = min;
    let hi = max;
    if (range !== '*') {
      const [a, b] = range.split('-') as [string, string | undefined];
      lo = Number(a);
      hi = b === undefined ? (stepText === undefined ? lo : max) : Number(b);
      if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < min || hi > max || lo > hi) {
        throw new InvalidRequestError(`invalid rotation_schedule: ${name} must be within ${min}-${max}`);
      }
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** A `rotation_schedule`: standard cron (minute hour day-of-month month day-of-week), in UTC, as Vault reads it. */
export interface CronSchedule {
  next(after: Date): Date;
}

export function parseCron(expr: string): CronSchedule {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new InvalidRequestError('invalid rotation_schedule: expected 5 fields (minute hour day month weekday)');
  const [mi, h, dom, mo, dow] = parts as [string, string, string, string, string];
  const minutes = field(mi, 0, 59, 'minute');
  const hours = field(h, 0, 23, 'hour');
  const days = field(dom, 1, 31, 'day of month');
  const months = field(mo, 1, 12, 'month');
  const weekdays = field(dow.replace(/\b7\b/g, '0'), 0, 6, 'day of week');
  const anyDay = dom === '*';
  const anyWeekday = dow === '*';
  return {
    next(after: Date): Date {
      const t = new Date(after.getTime());
      t.setUTCSeconds(0, 0);
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      // At most a little over four years of minutes: every valid expression matches within that.
      for (let i = 0; i < 4 * 366 * 24 * 60; i++) {
        // Cron's rule: with both day fields restricted, either one matching is enough.
        const dayOk =
          anyDay && anyWeekday
            ? true
            : anyDay
              ? weekdays.has(t.getUTCDay())
              : anyWeekday
                ? days.has(t.getUTCDate())
                : days.has(t.getUTCDate()) || weekdays.has(t.getUTCDay());
        if (months.has(t.getUTCMonth() + 1) && dayOk && hours.has(t.getUTCHours()) && minutes.has(t.getUTCMinutes())) return t;
        t.setUTCMinutes(t.getUTCMinutes() + 1);
      }
      throw new InvalidRequestError('invalid rotation_schedule: it never matches');
    },
  };
}
