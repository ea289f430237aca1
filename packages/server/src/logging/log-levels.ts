import type { LogLevels, ServerLogLevel } from '@strongroom/core';
import type { ServerLogger } from './server-logger.js';

/** The name `sys/loggers` shows for the server's one logger, which the node and the HTTP layer share. */
export const SERVER_LOGGER_NAME = 'core';

/** `sys/loggers` over the server's logger; reverting goes back to the level of the configuration now in force. */
export function serverLogLevels(logger: ServerLogger, configured: () => ServerLogLevel): LogLevels {
  const known = (name?: string): boolean => name === undefined || name === SERVER_LOGGER_NAME;
  return {
    levels: () => ({ [SERVER_LOGGER_NAME]: logger.level() }),
    set: (level, name) => {
      if (!known(name)) return false;
      logger.setLevel(level);
      return true;
    },
    reset: (name) => {
      if (!known(name)) return false;
      logger.setLevel(configured());
      return true;
    },
  };
}
