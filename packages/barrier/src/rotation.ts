import type { RotationConfig, TermKey } from './keyring.js';

/** Whether the active term has done enough work (or is old enough) that a new term should take over. */
export function shouldRotate(active: TermKey, config: Readonly<RotationConfig>, now: Date): boolean {
  if (!config.enabled) return false;
  if (active.encryptions >= config.maxOperations) return true;
  return config.interval > 0 && now.getTime() - active.installTime.getTime() >= config.interval;
}
