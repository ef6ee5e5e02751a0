/**
 * At most `limit` starts in any `intervalMs` window (the rate limit p-queue users ask for).
 *
 * @module
 */
import { checkCount, checkMs, typeError } from '../errors.js'
import { getClock } from '../platform/clock.js'

/** A rate limit: at most `limit` job starts per `intervalMs`. @since 0.1.0 */
export interface RateLimit {
  readonly limit: number
  readonly intervalMs: number
}

/** Remembers the last `limit` start times. @internal */
export class RateWindow {
  readonly #starts: number[] = []
  readonly limit: number
  readonly intervalMs: number
  constructor(rate: RateLimit) {
    if (typeof rate !== 'object' || rate === null) throw typeError('rateLimit', 'an object', rate)
    this.limit = checkCount('rateLimit.limit', rate.limit, 1)
    this.intervalMs = checkMs('rateLimit.intervalMs', rate.intervalMs)
  }

  /** 0 if a job may start now (and records it), else how many ms until one may. */
  take(): number {
    const now = getClock().now()
    const starts = this.#starts
    while (starts.length > 0 && (starts[0] as number) <= now - this.intervalMs) starts.shift()
    if (starts.length < this.limit) {
      starts.push(now)
      return 0
    }
    return Math.max(1, (starts[0] as number) + this.intervalMs - now)
  }
}
