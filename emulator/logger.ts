/** A minimal levelled logger for the emulator; one line per event, to stderr, never secrets. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(scope: string): Logger;
}

export function createLogger(level: LogLevel = "warn", scope = "stack", sink = process.stderr): Logger {
  const emit = (at: LogLevel, message: string) => {
    if (ORDER[at] < ORDER[level]) return;
    sink.write(`${new Date().toISOString()} ${at.padEnd(5)} [${scope}] ${message}\n`);
  };
  return {
    debug: (m) => emit("debug", m),
    info: (m) => emit("info", m),
    warn: (m) => emit("warn", m),
    error: (m) => emit("error", m),
    child: (sub) => createLogger(level, `${scope}/${sub}`, sink),
  };
}

export const silentLogger: Logger = createLogger("silent");
