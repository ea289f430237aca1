import type { ExpirationRouter } from '../expiration/expiration-manager.js';
import { internalRequest } from '../logical/request.js';
import type { Router } from './router.js';

/** How the expiration manager reaches the backend that issued a lease (by its path) and the token store. */
export function leaseRouter(
  router: Router,
  tokens: { revokeToken: (tokenId: string) => Promise<void>; tokenExists: (tokenId: string) => Promise<boolean> },
): ExpirationRouter {
  return {
    revokeSecret: async (path, secret) => {
      const r = router.match(path);
      if (!r?.backend.revokeSecret) return;
      await r.backend.revokeSecret(internalRequest('revoke', path, r.prefix), secret);
    },
    renewSecret: async (path, secret, increment) => {
      const r = router.match(path);
      if (!r?.backend.renewSecret) return null;
      const req = internalRequest('renew', path, r.prefix);
      req.data = { increment };
      return r.backend.renewSecret(req, secret);
    },
    revokeToken: tokens.revokeToken,
    tokenExists: tokens.tokenExists,
  };
}
