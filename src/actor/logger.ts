/**
 * Actor logging: lines tagged with the actor's path, through the system's sink.
 *
 * @module
 */
import { describe, typeError } from '../errors.js'

/** Log levels, least to most severe. @since 0.1.0 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** One log line. @since 0.1.0 */
export interface LogRecord {
  readonly level: LogLevel
  /** The path of the actor that logged, or the system's name for system events. */
  readonly path: string
  /** What happened; a record with an `error` leaves the error's text to it (e.g. `failed`). */
  readonly message: string
  /** The error, for failure records. */
  readonly error?: unknown
}

/** Where log records go. @since 0.1.0 */
export type LogSink = (record: LogRecord) => void

/** The logger in `ctx.log`. @since 0.1.0 */
export interface ActorLogger {
  debug(message: string): void
  info(message: string): void
  warn(message: string, error?: unknown): void
  error(message: string, error?: unknown): void
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

/**
 * Writes warnings and errors to stderr (the default sink), one line per record with its error
 * after the message: the stack for an `Error` (whose first line names the error), else the value.
 * @example
 * // [warn] /user/x failed: Error: boom
 * //     at …
 * @since 0.1.0
 */
export const consoleSink: LogSink = (r) => {
  if (typeof r !== 'object' || r === null) throw typeError('record', 'a log record', r)
  const err =
    r.error instanceof Error
      ? `: ${r.error.stack ?? describe(r.error)}`
      : r.error === undefined
        ? ''
        : `: ${describe(r.error)}`
  process.stderr.write(`[${r.level}] ${r.path} ${r.message}${err}\n`)
}

/** A sink that keeps records at `level` and above. @internal */
export function filtered(sink: LogSink, level: LogLevel | 'off'): LogSink | null {
  if (level === 'off') return null
  const min = RANK[level]
  return (r) => {
    if (RANK[r.level] >= min) sink(r)
  }
}

/** Writes one record to `sink` (null: logging is off). @internal */
export function writeLog(
  sink: LogSink | null,
  level: LogLevel,
  path: string,
  message: string,
  error?: unknown,
): void {
  if (sink === null) return
  sink(error === undefined ? { level, path, message } : { level, path, message, error })
}

/** A logger writing under `path`. @internal */
export function makeLogger(sink: LogSink | null, path: () => string): ActorLogger {
  const log = (level: LogLevel, message: string, error?: unknown): void => {
    if (sink !== null) writeLog(sink, level, path(), message, error)
  }
  return {
    debug: (m) => {
      log('debug', m)
    },
    info: (m) => {
      log('info', m)
    },
    warn: (m, e) => {
      log('warn', m, e)
    },
    error: (m, e) => {
      log('error', m, e)
    },
  }
}
