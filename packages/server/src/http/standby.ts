import type { Node } from '@strongroom/core';
import type { ResponseSink } from './write-json.js';

/**
 * Default answer of a standby without request forwarding: 307 to the active node's api_addr when it is known
 * (Vault's behaviour with `X-Vault-No-Request-Forwarding`), else false and the caller answers 503.
 */
export function redirectToActive(node: Node, originalUrl: string, res: ResponseSink): boolean {
  const ha = node.haStatus();
  if (!ha.enabled || ha.isSelf || !ha.leaderAddress) return false;
  let base: URL;
  try {
    base = new URL(ha.leaderAddress);
  } catch {
    return false;
  }
  res.statusCode = 307;
  res.setHeader('Location', `${base.origin}${originalUrl}`);
  res.setHeader('Cache-Control', 'no-store');
  res.end();
  return true;
}
