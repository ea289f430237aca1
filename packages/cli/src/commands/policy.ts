// policy write|read|list|delete: ACL policies through sys/policies/acl.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandSpec } from '../command.js';
import { CommandFailedError } from '../errors.js';
import { asRecord } from '../secret.js';
import { step } from './helpers.js';

const policyName = (raw: string): string => raw.trim().toLowerCase();

const write: CommandSpec = {
  path: ['policy', 'write'],
  synopsis: 'Uploads a named policy from a file',
  usage: '[options] NAME PATH',
  description: 'Creates or replaces the policy NAME with the HCL or JSON in the file PATH ("-" reads stdin).',
  groups: ['http'],
  args: { min: 2, max: 2 },
  async run(ctx) {
    const name = policyName(ctx.args[0]!);
    const source = ctx.args[1]!;
    let rules: string;
    if (source === '-') rules = await ctx.stdin();
    else {
      const file = path.resolve(ctx.io.cwd, source);
      try {
        rules = await readFile(file, 'utf8');
      } catch (err) {
        throw new CommandFailedError(`Error opening policy file: ${(err as Error).message}`, 2, { cause: err });
      }
    }
    const client = await ctx.client();
    await step('Error uploading policy', () => client.request('PUT', `sys/policies/acl/${name}`, { body: { policy: rules } }));
    ctx.out.info(`Success! Uploaded policy: ${name}`);
    return 0;
  },
};

const read: CommandSpec = {
  path: ['policy', 'read'],
  synopsis: 'Prints the contents of a policy',
  usage: '[options] NAME',
  description: 'Prints the rules of the policy NAME.',
  groups: ['http', 'format'],
  args: { min: 1, max: 1 },
  async run(ctx) {
    const name = policyName(ctx.args[0]!);
    const client = await ctx.client();
    const secret = await step(`Error reading policy named ${name}`, () => client.read(`sys/policies/acl/${name}`));
    const data = asRecord(secret?.data) ?? {};
    const rules = typeof data.policy === 'string' ? data.policy : typeof data.rules === 'string' ? data.rules : '';
    if (!secret || rules === '') throw new CommandFailedError(`No policy named: ${name}`);
    if (!ctx.out.isTable) return ctx.out.json({ policy: rules });
    ctx.out.info(rules.trim());
    return 0;
  },
};

const list: CommandSpec = {
  path: ['policy', 'list'],
  synopsis: 'Lists the installed policies',
  usage: '[options]',
  description: 'Lists the names of the ACL policies.',
  groups: ['http', 'format'],
  args: { min: 0, max: 0 },
  async run(ctx) {
    const client = await ctx.client();
    const secret = await step('Error listing policies', () => client.list('sys/policies/acl'));
    const keys = asRecord(secret?.data)?.keys;
    const names = Array.isArray(keys) ? keys.map(String) : [];
    if (!ctx.out.isTable) return ctx.out.json(names);
    for (const n of names) ctx.out.info(n);
    return 0;
  },
};

const del: CommandSpec = {
  path: ['policy', 'delete'],
  synopsis: 'Deletes a policy by name',
  usage: '[options] NAME',
  description: 'Deletes the policy NAME; tokens that carry it lose its grants at once.',
  groups: ['http'],
  args: { min: 1, max: 1 },
  async run(ctx) {
    const name = policyName(ctx.args[0]!);
    const client = await ctx.client();
    await step(`Error deleting ${name}`, () => client.request('DELETE', `sys/policies/acl/${name}`));
    ctx.out.info(`Success! Deleted policy: ${name}`);
    return 0;
  },
};

export const policyCommands: readonly CommandSpec[] = [write, read, list, del];
