import { InvalidRequestError } from '../errors.js';
import type { FieldData } from '../framework/field.js';
import type { PathDef } from '../framework/path.js';
import type { Response } from '../logical/request.js';
import type { PolicyStore } from '../policy/index.js';

type Policies = Pick<PolicyStore, 'list' | 'get' | 'set' | 'delete'>;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Vault accepts a policy body base64-encoded; text that is strict base64 of valid UTF-8 is decoded. */
export function decodePolicyText(text: string): string {
  const t = text.trim();
  if (t === '' || !BASE64.test(t)) return text;
  const bytes = Buffer.from(t, 'base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return text;
  }
}

/** Every ACL policy name, with the built-in `root` that the store does not keep, as Vault lists them. */
async function policyNames(policies: Policies): Promise<string[]> {
  const names = await policies.list();
  return names.includes('root') ? names : [...names, 'root'];
}

async function write(policies: Policies, name: string, d: FieldData, legacy: boolean): Promise<Response | null> {
  if (name.trim() === '') throw new InvalidRequestError('policy name must be provided in the URL');
  let text = d.getString('policy');
  let resp: Response | null = null;
  if (text === '' && legacy && d.getString('rules') !== '') {
    text = d.getString('rules');
    resp = { warnings: ["'rules' is deprecated, please use 'policy' instead"] };
  }
  if (text.trim() === '') throw new InvalidRequestError("'policy' parameter not supplied or empty");
  await policies.set(name, decodePolicyText(text));
  return resp;
}

async function read(policies: Policies, name: string, key: 'rules' | 'policy'): Promise<Response | null> {
  const p = await policies.get(name);
  if (!p) return null;
  return { data: { name: p.name, [key]: p.rules } };
}

/** `sys/policy` (the legacy shape with `rules`) and `sys/policies/acl` (with `policy`). */
export function policyPaths({ policies }: { policies: Policies }): PathDef[] {
  const listLegacy = async (): Promise<Response> => {
    const keys = await policyNames(policies);
    return { data: { keys, policies: keys } };
  };
  const remove = async (name: string): Promise<null> => {
    if (name.trim() === '') throw new InvalidRequestError('policy name must be provided in the URL');
    await policies.delete(name);
    return null;
  };
  return [
    {
      pattern: 'policy/?',
      operations: { read: listLegacy, list: listLegacy },
      helpSynopsis: 'List the ACL policies.',
    },
    {
      pattern: 'policy/(?<name>.+)',
      fields: { name: { type: 'string' }, policy: { type: 'string' }, rules: { type: 'string' } },
      operations: {
        read: async (_req, d) => read(policies, d.getString('name'), 'rules'),
        update: async (_req, d) => write(policies, d.getString('name'), d, true),
        delete: async (_req, d) => remove(d.getString('name')),
      },
      helpSynopsis: 'Read, write or delete an ACL policy (legacy path).',
    },
    {
      pattern: 'policies/acl/?',
      operations: { list: async () => ({ data: { keys: await policyNames(policies) } }) },
      helpSynopsis: 'List the ACL policies.',
    },
    {
      pattern: 'policies/acl/(?<name>.+)',
      fields: { name: { type: 'string' }, policy: { type: 'string' } },
      operations: {
        read: async (_req, d) => read(policies, d.getString('name'), 'policy'),
        update: async (_req, d) => write(policies, d.getString('name'), d, false),
        delete: async (_req, d) => remove(d.getString('name')),
      },
      helpSynopsis: 'Read, write or delete an ACL policy.',
    },
  ];
}
