import winston from 'winston';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level?: string;
  /** Where lines go; defaults to stdout (journald picks it up under systemd). */
  stream?: NodeJS.WritableStream;
  silent?: boolean;
}

/** One JSON object per line on stdout, every line tagged `service=<name>`. */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  return winston.createLogger({
    level: options.level ?? process.env.LANCTL_LOG_LEVEL ?? 'info',
    silent: options.silent ?? false,
    defaultMeta: { service },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [transport],
  });
}
