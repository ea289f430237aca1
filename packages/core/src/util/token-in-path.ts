/**
 * Token store endpoints that take a token or an accessor as the last path segments (`auth/token/lookup/<token>`,
 * Vault's deprecated URL forms). The path is then as secret as the token: audit entries HMAC that part and logs
 * replace it.
 */
const TOKEN_IN_PATH = /^(auth\/token\/(?:lookup|revoke|revoke-orphan|renew)\/)(.+)$/;
const ACCESSOR_IN_PATH = /^(auth\/token\/(?:lookup-accessor|revoke-accessor)\/)(.+)$/;

/** The path with its token or accessor part passed through `hide` (which says what a token and an accessor become). */
export function hideTokenInPath(path: string, hide: { token: (t: string) => string; accessor: (a: string) => string }): string {
  // Paths reach us with or without the leading slash (`/v1/...` stripped or not).
  const lead = path.startsWith('/') ? '/' : '';
  const p = lead ? path.slice(1) : path;
  let m = TOKEN_IN_PATH.exec(p);
  if (m) return `${lead}${m[1]}${hide.token(m[2]!)}`;
  m = ACCESSOR_IN_PATH.exec(p);
  if (m) return `${lead}${m[1]}${hide.accessor(m[2]!)}`;
  return path;
}

/** For logs and in-flight listings: the secret part replaced by a fixed marker. */
export function redactTokenInPath(path: string): string {
  const redacted = () => '<redacted>';
  const v1 = path.startsWith('/v1/') ? '/v1/' : '';
  return v1 + hideTokenInPath(path.slice(v1.length), { token: redacted, accessor: redacted });
}
