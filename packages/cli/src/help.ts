// Help text in the layout of Vault's: a usage line, a paragraph, then the flags grouped by kind.
import { FIELD_FLAGS, FORMAT_FLAGS, type CommandSpec } from './command.js';
import { HTTP_FLAGS } from './client-config.js';
import { columnize } from './format/columns.js';
import { wrapAtLength } from './format/wrap.js';
import type { FlagSpec } from './flags.js';
import { GROUP_SYNOPSES } from './registry.js';

function flagLines(flags: readonly FlagSpec[]): string[] {
  return flags.flatMap((f) => {
    const head = f.type === 'bool' ? `  -${f.name}` : `  -${f.name}=<${f.type === 'strings' ? 'string' : f.type}>`;
    const def = f.default !== undefined && f.default !== '' && f.default !== false ? ` The default is ${String(f.default)}.` : '';
    const repeat = f.type === 'strings' ? ' This flag may be repeated.' : '';
    return [head, wrapAtLength(f.usage + def + repeat, 6), ''];
  });
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: strongroom ${spec.path.join(' ')} ${spec.usage}`.trimEnd(), ''];
  if (spec.description) lines.push(wrapAtLength(spec.description, 2), '');
  const sections: [string, readonly FlagSpec[]][] = [];
  if (spec.groups.includes('http')) sections.push(['HTTP Options', HTTP_FLAGS]);
  const output = [...(spec.groups.includes('format') ? FORMAT_FLAGS : []), ...(spec.groups.includes('field') ? FIELD_FLAGS : [])];
  if (output.length > 0) sections.push(['Output Options', output]);
  if (spec.flags?.length) sections.push(['Command Options', spec.flags]);
  for (const [title, flags] of sections) lines.push(`${title}:`, '', ...flagLines(flags));
  return lines.join('\n').trimEnd();
}

function listing(entries: readonly [string, string][]): string {
  return columnize(entries.map(([name, synopsis]) => `${name} | ${synopsis}`), { empty: ' ' })
    .split('\n')
    .map((l) => `    ${l}`.trimEnd())
    .join('\n');
}

/** Help for a group word such as `kv` or `kv metadata`: its subcommands. */
export function groupHelp(words: readonly string[], commands: readonly CommandSpec[]): string {
  const prefix = words.join(' ');
  const children = new Map<string, string>();
  for (const c of commands) {
    if (c.path.length <= words.length || c.path.slice(0, words.length).join(' ') !== prefix) continue;
    const child = c.path[words.length]!;
    const childKey = c.path.slice(0, words.length + 1).join(' ');
    children.set(child, c.path.length === words.length + 1 ? c.synopsis : (GROUP_SYNOPSES[childKey] ?? ''));
  }
  const entries = [...children.entries()].sort(([a], [b]) => a.localeCompare(b));
  return [
    `Usage: strongroom ${prefix} <subcommand> [options] [args]`,
    '',
    `  ${GROUP_SYNOPSES[prefix] ?? ''}`.trimEnd(),
    '',
    'Subcommands:',
    listing(entries),
  ].join('\n');
}

export function topHelp(commands: readonly CommandSpec[]): string {
  const top = new Map<string, string>();
  for (const c of commands) {
    const word = c.path[0]!;
    if (!top.has(word)) top.set(word, c.path.length === 1 ? c.synopsis : (GROUP_SYNOPSES[word] ?? ''));
  }
  const entries = [...top.entries()].sort(([a], [b]) => a.localeCompare(b));
  return ['Usage: strongroom <command> [args]', '', 'Commands:', listing(entries)].join('\n');
}

