import { InvalidRequestError } from '../errors.js';

/** GitHub's public API, used when a mount's `base_url` is empty. */
export const GITHUB_API = 'https://api.github.com/';

/** A slow GitHub must not hold a login (and its request slot) for long. */
const REQUEST_TIMEOUT_MS = 10_000;
/** A user in thousands of orgs or teams is not plausible; the bound stops a server that links pages forever. */
const MAX_PAGES = 50;

/** Who the token belongs to, in the configured organization. */
export interface GitHubIdentity {
  login: string;
  orgLogin: string;
  /** Names and slugs of the user's teams in the organization, without duplicates. */
  teamNames: string[];
}

interface Org {
  id: number;
  login: string;
}

interface Team {
  name: string;
  slug: string;
  organization?: { id?: number };
}

/** The `next` target of a `Link` header, as GitHub pages its lists. */
function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m?.[1]) return m[1];
  }
  return null;
}

function isOrg(v: unknown): v is Org {
  const o = v as Partial<Org> | null;
  return typeof o === 'object' && o !== null && typeof o.id === 'number' && typeof o.login === 'string';
}

function isTeam(v: unknown): v is Team {
  const t = v as Partial<Team> | null;
  return typeof t === 'object' && t !== null && typeof t.name === 'string' && typeof t.slug === 'string';
}

/**
 * A minimal GitHub REST client over node's `fetch`. The user's token only travels in the `Authorization` header of
 * the calls made here; it is never part of an error message.
 */
export class GitHubClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly signal?: AbortSignal,
  ) {
    this.base = baseUrl === '' ? GITHUB_API : baseUrl;
  }

  private async get(url: string, token: string | null): Promise<{ body: unknown; next: string | null }> {
    const headers: Record<string, string> = { Accept: 'application/vnd.github+json', 'User-Agent': 'strongroom' };
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: this.signal ? AbortSignal.any([this.signal, timeout]) : timeout, redirect: 'error' });
    } catch {
      throw new InvalidRequestError('unable to reach GitHub: request failed or timed out');
    }
    if (res.status === 401) throw new InvalidRequestError('invalid GitHub token: GitHub answered 401 Bad credentials');
    if (!res.ok) throw new InvalidRequestError(`GitHub answered ${res.status} for ${new URL(url).pathname}`);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new InvalidRequestError(`GitHub answered with a malformed body for ${new URL(url).pathname}`);
    }
    return { body, next: nextLink(res.headers.get('link')) };
  }

  /** Every item of a paged list, following `Link: rel="next"` from page to page. */
  private async getAll(path: string, token: string): Promise<unknown[]> {
    const out: unknown[] = [];
    let url: string | null = this.base + path;
    for (let page = 0; url !== null; page++) {
      if (page >= MAX_PAGES) throw new InvalidRequestError(`GitHub returned more than ${MAX_PAGES} pages for ${path}`);
      const { body, next }: { body: unknown; next: string | null } = await this.get(url, token);
      if (!Array.isArray(body)) throw new InvalidRequestError(`GitHub answered with a malformed body for ${path}`);
      out.push(...(body as unknown[]));
      url = next;
    }
    return out;
  }

  /** The numeric id of an organization, by its login. */
  async organizationId(organization: string): Promise<number> {
    const { body } = await this.get(this.base + `orgs/${encodeURIComponent(organization)}`, null);
    if (!isOrg(body)) throw new InvalidRequestError(`GitHub answered with a malformed organization for "${organization}"`);
    return body.id;
  }

  /** The token's user, checked to belong to the organization `orgId`, and its teams there. */
  async verify(token: string, orgId: number): Promise<GitHubIdentity> {
    const { body: user } = await this.get(this.base + 'user', token);
    const login = (user as { login?: unknown } | null)?.login;
    if (typeof login !== 'string' || login === '') throw new InvalidRequestError('GitHub answered with a malformed user');
    const org = (await this.getAll('user/orgs?per_page=100', token)).filter(isOrg).find((o) => o.id === orgId);
    if (!org) throw new InvalidRequestError('user is not part of required org');
    const teamNames = new Set<string>();
    for (const team of (await this.getAll('user/teams?per_page=100', token)).filter(isTeam)) {
      if (team.organization?.id !== orgId) continue;
      teamNames.add(team.name);
      teamNames.add(team.slug);
    }
    return { login, orgLogin: org.login, teamNames: [...teamNames] };
  }
}
