import { InvalidRequestError } from '../errors.js';
import { formatDuration } from '../framework/duration.js';

/** The system (or mount) TTL limits, in seconds. */
export interface TTLLimits {
  defaultLeaseTTL(): number;
  maxLeaseTTL(): number;
}

export interface TTLInput {
  limits: TTLLimits;
  /** Requested on renewal (seconds from now); 0 = none. */
  increment: number;
  /** The TTL the backend or the request asked for; 0 = the default. */
  backendTTL: number;
  /** Periodic tokens renew to their period, without a max TTL other than `explicitMaxTTL`. */
  period: number;
  /** A backend's (role's) max TTL; 0 = none. */
  backendMaxTTL: number;
  /** A hard cap from `startMs`; 0 = none. */
  explicitMaxTTL: number;
  /** When the lease was issued (ms). */
  startMs: number;
  nowMs: number;
}

/**
 * Vault's `framework.CalculateTTL`: the TTL to grant from now, capped so that the lease never outlives the
 * effective max TTL counted from its issue time.
 */
export function calculateTTL(i: TTLInput): { ttl: number; warnings: string[] } {
  const warnings: string[] = [];
  let maxTTL = i.limits.maxLeaseTTL();
  if (i.backendMaxTTL > 0 && i.backendMaxTTL < maxTTL) maxTTL = i.backendMaxTTL;
  if (i.explicitMaxTTL > 0 && i.explicitMaxTTL < maxTTL) maxTTL = i.explicitMaxTTL;
  if (maxTTL <= 0) throw new InvalidRequestError('max TTL must be greater than zero');

  let ttl: number;
  let maxValidMs = 0;
  if (i.period > 0) {
    ttl = i.period;
    if (ttl > maxTTL) {
      warnings.push(`period of "${formatDuration(ttl)}" exceeded the effective max_ttl of "${formatDuration(maxTTL)}"; period value is capped accordingly`);
      ttl = maxTTL;
    }
    if (i.explicitMaxTTL > 0) maxValidMs = i.startMs + i.explicitMaxTTL * 1000;
  } else {
    ttl = i.increment > 0 ? i.increment : i.backendTTL > 0 ? i.backendTTL : i.limits.defaultLeaseTTL();
    maxValidMs = i.startMs + maxTTL * 1000;
  }
  if (maxValidMs > 0) {
    const maxValidTTL = Math.floor((maxValidMs - i.nowMs) / 1000);
    if (maxValidTTL <= 0) throw new InvalidRequestError('past the max TTL, cannot renew');
    if (ttl > maxValidTTL) {
      warnings.push(`TTL of "${formatDuration(ttl)}" exceeded the effective max_ttl of "${formatDuration(maxValidTTL)}"; TTL value is capped accordingly`);
      ttl = maxValidTTL;
    }
  }
  return { ttl, warnings };
}
