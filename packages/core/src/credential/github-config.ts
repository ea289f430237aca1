import type { Backend } from '@strongroom/storage';
import { decodeJSON, encodeJSON } from '../util/json-entry.js';
import { InvalidRequestError } from '../errors.js';
import type { FieldData, FieldSchemas } from '../framework/field.js';
import { TOKEN_FIELDS, applyTokenFields, newTokenSettings, tokenData, type TokenSettings } from './token-fields.js';

/** A github mount's configuration, stored at `config` in its view. */
export interface GitHubConfig extends TokenSettings {
  organization: string;
  organization_id: number;
  /** As the operator gave it, with a trailing `/`; empty means GitHub's public API. */
  base_url: string;
}

const CONFIG_KEY = 'config';

export const CONFIG_FIELDS: FieldSchemas = {
  organization: { type: 'string', description: 'The GitHub organization users must be part of (required on write).' },
  organization_id: { type: 'int', description: "The organization's numeric id; looked up from GitHub when 0 or absent." },
  base_url: { type: 'string', description: 'The API endpoint of GitHub Enterprise; empty means https://api.github.com/.' },
  ...TOKEN_FIELDS,
};

export function newConfig(): GitHubConfig {
  return { organization: '', organization_id: 0, base_url: '', ...newTokenSettings() };
}

/** Applies the fields sent, keeping the others; an organization change drops an id that belonged to the old one. */
export function applyConfigFields(config: GitHubConfig, d: FieldData): void {
  applyTokenFields(config, d);
  const organization = d.getString('organization');
  if (organization === '') throw new InvalidRequestError('organization is a required parameter');
  if (organization !== config.organization && !d.has('organization_id')) config.organization_id = 0;
  config.organization = organization;
  if (d.has('organization_id')) config.organization_id = d.getInt('organization_id');
  if (config.organization_id < 0) throw new InvalidRequestError('"organization_id" cannot be negative');
  if (d.has('base_url')) {
    const raw = d.getString('base_url').trim();
    if (raw !== '') {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new InvalidRequestError('error parsing given base_url');
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidRequestError('base_url must be an http or https URL');
    }
    config.base_url = raw === '' || raw.endsWith('/') ? raw : `${raw}/`;
  }
}

/** What a read of `config` shows. */
export function configData(config: GitHubConfig): Record<string, unknown> {
  return { organization: config.organization, organization_id: config.organization_id, base_url: config.base_url, ...tokenData(config) };
}

export class ConfigStore {
  constructor(private readonly storage: Backend) {}

  async get(): Promise<GitHubConfig | null> {
    const raw = await this.storage.get(CONFIG_KEY);
    return raw ? { ...newConfig(), ...decodeJSON<Partial<GitHubConfig>>(raw) } : null;
  }

  async put(config: GitHubConfig): Promise<void> {
    await this.storage.put(CONFIG_KEY, encodeJSON(config));
  }
}
