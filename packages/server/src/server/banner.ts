/** Vault's alignment: keys right-aligned to 24 characters, then `: `. */
const PADDING = 24;

function titleCase(key: string): string {
  return key.replace(/\b\w/g, (c) => c.toUpperCase());
}

/** The start-up banner: `==> Strongroom server configuration:` then one sorted, aligned line per key. */
export function configurationBanner(info: Record<string, string>): string {
  const keys = Object.keys(info).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  const lines = keys.map((k) => `${' '.repeat(Math.max(0, PADDING - k.length))}${titleCase(k)}: ${info[k]}`);
  return `==> Strongroom server configuration:\n\n${lines.join('\n')}\n\n`;
}

export const STARTED_LINE = '==> Strongroom server started! Log data will stream in below:\n\n';

/** Printed in dev mode once the node is initialized and unsealed, as Vault's dev banner. */
export function devBanner(o: { apiAddr: string; unsealKey: string; rootToken: string }): string {
  return [
    '',
    'WARNING! dev mode is enabled! In this mode, Strongroom runs entirely in-memory',
    'and starts unsealed with a single unseal key, so you can immediately begin',
    'using Strongroom with the root token below.',
    '',
    'You may need to set the following environment variables:',
    '',
    `    $ export VAULT_ADDR='${o.apiAddr}'`,
    '',
    'The unseal key and root token are displayed below in case you want to',
    'seal/unseal the server or re-authenticate.',
    '',
    `Unseal Key: ${o.unsealKey}`,
    `Root Token: ${o.rootToken}`,
    '',
    'Development mode should NOT be used in production installations!',
    '',
    '',
  ].join('\n');
}
