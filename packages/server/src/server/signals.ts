import type { Logger } from '@strongroom/core';

export interface SignalActions {
  /** SIGTERM / SIGINT: drain and stop. */
  stop(): Promise<void>;
  /** SIGHUP: reload what can be reloaded (log level, TLS certificates, audit files). */
  reload(): Promise<void>;
  /** SIGUSR1: write a telemetry dump to stderr. */
  dump(): Promise<void>;
}

/** Installs the process signal handlers of a server; returns the function that removes them. */
export function installSignalHandlers(actions: SignalActions, logger: Logger): () => void {
  let stopping = false;
  const run = (name: string, fn: () => Promise<void>) => () => {
    fn().catch((err: unknown) => logger.error(`${name} handling failed`, { error: (err as Error).message }));
  };
  const stop = (signal: string) => () => {
    if (stopping) {
      logger.warn('shutdown already in progress', { signal });
      return;
    }
    stopping = true;
    logger.info('shutdown triggered', { signal });
    run('shutdown', actions.stop)();
  };
  const handlers: Array<[NodeJS.Signals, () => void]> = [
    ['SIGTERM', stop('SIGTERM')],
    ['SIGINT', stop('SIGINT')],
    ['SIGHUP', run('reload', actions.reload)],
    ['SIGUSR1', run('telemetry dump', actions.dump)],
  ];
  for (const [sig, h] of handlers) process.on(sig, h);
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}
