import { InvalidRequestError, PermissionDeniedError } from '../errors.js';
import type { PathDef } from '../framework/path.js';
import type { Request, Response } from '../logical/request.js';
import { describeMount, routePrefix, type MountEntry } from '../mounts/mount-entry.js';
import type { MountTable } from '../mounts/mount-table.js';
import type { Router } from '../mounts/router.js';
import { parsePolicy, type ACL, type PathRules, type Policy, type PolicyStore } from '../policy/index.js';

interface InternalUIDeps {
  policies: Pick<PolicyStore, 'acl' | 'get'>;
  router: Pick<Router, 'match'>;
  mounts: Pick<MountTable, 'list'>;
  authMounts: Pick<MountTable, 'list'>;
}

/** Whether a caller may see a mount: decided from its full route prefix (`secret/`, `auth/userpass/`). */
type MountAccess = (prefix: string) => boolean;

function grants(caps: readonly string[]): boolean {
  return caps.length > 0 && !caps.includes('deny');
}

/** The same pattern in several policies unions its capabilities, and `deny` in any of them wins (as in the ACL). */
function grantingRules(policies: readonly Policy[]): PathRules[] {
  const merged = new Map<string, { rule: PathRules; denied: boolean; granted: boolean }>();
  for (const p of policies) {
    for (const rule of p.paths) {
      if (rule.templated) continue;
      const prev = merged.get(rule.pattern) ?? { rule, denied: false, granted: false };
      prev.denied ||= rule.capabilities.includes('deny');
      prev.granted ||= rule.capabilities.length > 0;
      merged.set(rule.pattern, prev);
    }
  }
  return [...merged.values()].filter((m) => m.granted && !m.denied).map((m) => m.rule);
}

/** A `+` rule reaches a bare mount when the mount's segments match the rule's first segments (Vault's bareMount). */
function segmentRuleCovers(rule: PathRules, prefix: string): boolean {
  const mountSegs = prefix.replace(/\/$/, '').split('/');
  const pattern = rule.pattern.endsWith('*') ? rule.pattern.slice(0, -1) : rule.pattern;
  const ruleSegs = pattern.split('/');
  for (let i = 0; i < mountSegs.length; i++) {
    const seg = ruleSegs[i];
    if (seg === undefined) return false;
    const last = i === ruleSegs.length - 1 && rule.pattern.endsWith('*');
    if (seg !== '+' && seg !== mountSegs[i] && !(last && mountSegs[i]!.startsWith(seg))) return false;
  }
  return true;
}

/**
 * Vault's `hasMountAccess`: a caller sees a mount when its ACL grants anything at the mount path itself, or any
 * rule under the mount grants a capability (a `secret/data/app/*` rule makes `secret/` visible).
 */
function mountAccess(acl: ACL, policies: readonly Policy[]): MountAccess {
  if (acl.isRoot) return () => true;
  const rules = grantingRules(policies);
  return (prefix) => {
    if (grants(acl.capabilities(prefix))) return true;
    return rules.some((rule) => (rule.hasSegmentWildcards ? segmentRuleCovers(rule, prefix) : rule.path.startsWith(prefix)));
  };
}

/** The caller's mount visibility; null without a token. A token that did not resolve is refused. */
async function callerAccess(core: InternalUIDeps, req: Request): Promise<MountAccess | null> {
  if (!req.clientToken) return null;
  if (!req.auth) throw new PermissionDeniedError();
  const acl = await core.policies.acl(req.auth.policies);
  if (acl.isRoot) return () => true;
  const policies: Policy[] = [];
  for (const name of req.auth.policies) {
    const stored = await core.policies.get(name);
    if (!stored || stored.rules === '') continue;
    try {
      policies.push(parsePolicy(stored.name, stored.rules));
    } catch {
      // A stored policy that no longer parses grants nothing, as in the ACL.
    }
  }
  return mountAccess(acl, policies);
}

function listMounts(entries: readonly MountEntry[], access: MountAccess | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of entries) {
    if (e.config.listing_visibility === 'unauth') {
      out[e.path] = access ? describeMount(e) : { type: e.type, description: e.description, options: e.options };
    } else if (access?.(routePrefix(e))) {
      out[e.path] = describeMount(e);
    }
  }
  return out;
}

/** `sys/internal/ui/mounts[/:path]`: what the UI and the CLI's kv preflight ask; the handler does its own ACL check. */
export function internalUIPaths(core: InternalUIDeps): PathDef[] {
  return [
    {
      pattern: 'internal/ui/mounts/?',
      operations: {
        read: async (req): Promise<Response> => {
          const access = await callerAccess(core, req);
          return { data: { secret: listMounts(core.mounts.list, access), auth: listMounts(core.authMounts.list, access) } };
        },
      },
      helpSynopsis: 'The mounts the caller may see.',
    },
    {
      pattern: 'internal/ui/mounts/(?<path>.+)',
      fields: { path: { type: 'string' } },
      operations: {
        read: async (req, d): Promise<Response> => {
          const path = d.getString('path').replace(/^\/+/, '');
          if (path === '') throw new InvalidRequestError('path not set');
          const denied = new PermissionDeniedError(
            `preflight capability check returned 403, please ensure client's policies grant access to path "${path}"`,
          );
          // Unknown mounts are a 403 too, so this path cannot be used to discover which mounts exist.
          const route = core.router.match(path);
          if (!route) throw denied;
          const access = await callerAccess(core, req);
          if (!access?.(route.prefix)) throw denied;
          return { data: { ...describeMount(route.entry), path: route.entry.path } };
        },
      },
      helpSynopsis: 'One mount, if the caller has any capability under it.',
    },
  ];
}
