import { InvalidRequestError } from '../errors.js';
import type { FieldData } from '../framework/field.js';
import type { PathDef } from '../framework/path.js';
import type { Request } from '../logical/request.js';
import { LOG_LEVELS, type ServerLogLevel, type ServerView } from './server-view.js';

/** Vault's ParseLogLevel: its aliases included. */
const ALIASES: Record<string, ServerLogLevel> = { notice: 'info', warning: 'warn', err: 'error' };

function level(d: FieldData): ServerLogLevel {
  if (!d.has('level')) throw new InvalidRequestError('level is required');
  const raw = d.getString('level').trim().toLowerCase();
  if (raw === '') throw new InvalidRequestError('level is empty');
  const l = (LOG_LEVELS as readonly string[]).includes(raw) ? (raw as ServerLogLevel) : ALIASES[raw];
  if (!l) throw new InvalidRequestError(`invalid level provided: unknown log level: ${JSON.stringify(raw)}`);
  return l;
}

function name(d: FieldData): string {
  const n = d.getString('name');
  if (n === '') throw new InvalidRequestError('name is empty');
  return n;
}

const LEVEL_FIELD = { level: { type: 'string' as const, description: 'trace, debug, info, warn or error.' } };

/** `sys/loggers`, `sys/in-flight-req`, `sys/host-info` and `sys/config/state/sanitized`: what the server knows. */
export function serverPaths({ server }: { server: ServerView }): PathDef[] {
  const logs = server.logLevels;
  return [
    {
      pattern: 'loggers',
      fields: LEVEL_FIELD,
      operations: {
        read: async () => ({ data: { ...logs.levels() } }),
        update: async (_req, d) => {
          logs.set(level(d));
          return null;
        },
        delete: async () => {
          logs.reset();
          return null;
        },
      },
      helpSynopsis: 'Read, set, or revert to the configured level, the verbosity of every logger.',
    },
    {
      pattern: 'loggers/(?<name>.+)',
      fields: { name: { type: 'string' }, ...LEVEL_FIELD },
      operations: {
        read: async (_req, d) => {
          const n = name(d);
          const l = logs.levels()[n];
          if (!l) throw new InvalidRequestError(`logger ${JSON.stringify(n)} not found`);
          return { data: { [n]: l } };
        },
        update: async (_req, d) => {
          const n = name(d);
          if (!logs.set(level(d), n)) throw new InvalidRequestError(`logger ${JSON.stringify(n)} not found`);
          return null;
        },
        delete: async (_req, d) => {
          const n = name(d);
          if (!logs.reset(n)) throw new InvalidRequestError(`logger ${JSON.stringify(n)} not found`);
          return null;
        },
      },
      helpSynopsis: 'Read, set, or revert to the configured level, the verbosity of one logger.',
    },
    {
      pattern: 'in-flight-req',
      // Vault answers the bare map, without the response envelope.
      operations: { read: async () => ({ raw: { status: 200, body: server.inFlightRequests() } }) },
      helpSynopsis: 'The requests this server is serving right now.',
    },
    ...(server.metrics
      ? [
          {
            pattern: 'metrics',
            fields: { format: { type: 'string' as const, description: '"prometheus" for Prometheus text; JSON otherwise.' } },
            operations: {
              read: async (req: Request, d: FieldData) => {
                const accept = Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === 'accept')?.[1];
                const { body, contentType } = await server.metrics!(d.getString('format'), accept);
                // Vault answers the bare metrics, without the response envelope.
                return { raw: { status: 200, body, ...(contentType ? { contentType } : {}) } };
              },
            },
            helpSynopsis: 'The server metrics, as JSON or in the Prometheus format.',
          } satisfies PathDef,
        ]
      : []),
    {
      pattern: 'host-info',
      operations: { read: async () => ({ data: await server.hostInfo() }) },
      helpSynopsis: 'CPU, disk, host and memory of the machine the server runs on.',
    },
    {
      pattern: 'config/state/sanitized',
      operations: { read: async () => ({ data: server.sanitizedConfig() }) },
      helpSynopsis: 'The server configuration, secrets left out.',
    },
  ];
}
