// How kv commands print a secret in table mode: the API path under a "Secret Path" banner, then titled tables.
import type { CommandContext } from '../command.js';
import { headerForMap, padEqualSigns } from '../format/columns.js';
import { asRecord, type Secret } from '../secret.js';

export function outputPath(ctx: CommandContext, path: string, title: string): void {
  ctx.out.info(padEqualSigns(title, path.length));
  ctx.out.info(path);
  ctx.out.info('');
}

export function outputTitled(ctx: CommandContext, title: string, data: Record<string, unknown>): void {
  ctx.out.info(headerForMap(title, data));
  ctx.out.data(data);
}

/** A write's answer (`kv put`, `kv patch`): the new version's metadata, or a success line for a bare 204. */
export function printKvWrite(ctx: CommandContext, secret: Secret | null, fullPath: string): number {
  if (!secret) {
    if (ctx.out.isTable) ctx.out.info(`Success! Data written to: ${fullPath}`);
    return 0;
  }
  if (ctx.flags.has('field')) return ctx.out.field(secret, ctx.flags.string('field'), true);
  if (!ctx.out.isTable) return ctx.out.secret(secret);
  outputPath(ctx, fullPath, 'Secret Path');
  outputTitled(ctx, 'Metadata', asRecord(secret.data) ?? {});
  return 0;
}
