import { KeyedLock } from '../util/keyed-lock.js';
import { InvalidRequestError } from '../errors.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import { FrameworkBackend } from '../framework/framework-backend.js';
import type { BackendContext, LogicalBackend } from '../logical/backend.js';
import type { Auth, Request, Response } from '../logical/request.js';
import { GitHubClient } from './github-client.js';
import { CONFIG_FIELDS, ConfigStore, applyConfigFields, configData, newConfig, type GitHubConfig } from './github-config.js';
import { PolicyMap } from './github-map.js';
import { normalizePolicies, renewedAuth, samePolicies, tokenAuth } from './token-fields.js';

const HELP = `
The GitHub credential provider allows authentication via GitHub.

Users provide a personal access token to log in, and the credential
provider verifies they're part of the correct organization and then
maps the user to a set of Vault policies according to the teams they're
part of.

After enabling the credential provider, use the "config" route to
configure it.
`;

/** Team and user names as GitHub allows them (team names may hold spaces); a `/` would change the path. */
const MAP_KEY: FieldSchemas = { key: { type: 'string', description: 'The team or user name.', required: true } };
const MAP_FIELDS: FieldSchemas = { ...MAP_KEY, value: { type: 'string', description: 'Comma-separated policies for the name.' } };

/**
 * Vault's github auth method: a user logs in with a GitHub personal access token; GitHub tells who the user is, that
 * they belong to the configured organization, and their teams there, which map to policies.
 */
export async function githubFactory(ctx: BackendContext): Promise<LogicalBackend> {
  const configs = new ConfigStore(ctx.storage);
  const maps = { teams: new PolicyMap(ctx.storage, 'teams'), users: new PolicyMap(ctx.storage, 'users') };
  // Writes of the config read it first (partial updates); two at once must not lose either.
  const locks = new KeyedLock();

  const writeConfig = async (req: Request, d: FieldData): Promise<Response | null> =>
    locks.run('config', async () => {
      const config: GitHubConfig = (await configs.get()) ?? newConfig();
      applyConfigFields(config, d);
      if (config.organization_id === 0) {
        try {
          config.organization_id = await new GitHubClient(config.base_url, req.signal).organizationId(config.organization);
        } catch (err) {
          const why = err instanceof Error ? err.message : 'unknown error';
          throw new InvalidRequestError(`unable to fetch the organization_id, you must manually set it in the config: ${why}`);
        }
      }
      await configs.put(config);
      return null;
    });

  const readConfig = async (): Promise<Response | null> => {
    const config = await configs.get();
    return config ? { data: configData(config) } : null;
  };

  const requireConfig = async (): Promise<GitHubConfig> => {
    const config = await configs.get();
    if (!config) throw new InvalidRequestError('configuration has not been set');
    return config;
  };

  /** Asks GitHub who `token` is; the policies are those mapped to the user and their teams, plus the config's own. */
  const verify = async (req: Request, token: string) => {
    const config = await requireConfig();
    const identity = await new GitHubClient(config.base_url, req.signal).verify(token, config.organization_id);
    const mapped = [...(await maps.teams.policies(identity.teamNames)), ...(await maps.users.policies([identity.login]))];
    return { config, identity, policies: normalizePolicies([...config.token_policies, ...mapped]) };
  };

  const login = async (req: Request, d: FieldData): Promise<Response | null> => {
    const token = d.getString('token');
    if (token === '') throw new InvalidRequestError('missing token');
    const { config, identity, policies } = await verify(req, token);
    return {
      auth: {
        ...tokenAuth(config),
        policies,
        metadata: { username: identity.login, org: identity.orgLogin },
        displayName: identity.login,
        // Kept inside the encrypted token entry (never in a lookup, the audit log or this mount's storage) so a
        // renewal can ask GitHub again, as Vault does.
        internalData: { token },
      },
    };
  };

  /** A renewal asks GitHub again and goes through only while the policies are those the token was issued with. */
  const renewAuth = async (req: Request, auth: Auth): Promise<Response | null> => {
    const token = auth.internalData?.token;
    if (typeof token !== 'string' || token === '') throw new InvalidRequestError('the login kept no GitHub token, not renewing');
    const { config, policies } = await verify(req, token);
    if (!samePolicies(policies, auth.tokenPolicies ?? auth.policies)) throw new InvalidRequestError('policies do not match, not renewing');
    return { auth: renewedAuth(auth, config) };
  };

  const mapPaths = (kind: 'teams' | 'users') => {
    const map = maps[kind];
    return [
      {
        pattern: `map/${kind}/?`,
        operations: {
          list: async (): Promise<Response | null> => {
            const keys = await map.list();
            return keys.length ? { data: { keys } } : null;
          },
        },
        helpSynopsis: `List the ${kind} with mapped policies.`,
      },
      {
        pattern: `map/${kind}/(?<key>[^/]+)`,
        fields: MAP_FIELDS,
        operations: {
          read: async (_req: Request, d: FieldData): Promise<Response | null> => {
            const value = await map.get(d.getString('key'));
            return value === null ? null : { data: { key: d.getString('key').toLowerCase(), value } };
          },
          update: async (_req: Request, d: FieldData): Promise<Response | null> => {
            await map.put(d.getString('key'), d.getString('value'));
            return null;
          },
          delete: async (_req: Request, d: FieldData): Promise<Response | null> => {
            await map.delete(d.getString('key'));
            return null;
          },
        },
        existenceCheck: async (_req: Request, d: FieldData) => (await map.get(d.getString('key'))) !== null,
        helpSynopsis: `Read, write or delete the policies mapped to one of the ${kind}.`,
      },
    ];
  };

  return new FrameworkBackend({
    class: 'credential',
    help: HELP,
    specialPaths: { unauthenticated: ['login'] },
    renewAuth,
    paths: [
      {
        pattern: 'config',
        fields: CONFIG_FIELDS,
        operations: { read: readConfig, update: writeConfig },
        helpSynopsis: 'Configure the GitHub organization users must belong to.',
      },
      ...mapPaths('teams'),
      ...mapPaths('users'),
      {
        pattern: 'login',
        fields: { token: { type: 'string', description: 'A GitHub personal access token with the read:org scope.' } },
        operations: { update: login },
        helpSynopsis: 'Log in with a GitHub personal access token.',
      },
    ],
  });
}
