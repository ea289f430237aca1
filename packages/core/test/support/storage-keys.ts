import { BarrierView } from '@strongroom/barrier';
import type { Backend } from '@strongroom/storage';

/** Every key below `prefix` (itself included in each key), through the barrier view's own walk. */
export function allKeys(storage: Backend, prefix = ''): Promise<string[]> {
  return new BarrierView(storage, '').keys(prefix);
}
