/**
 * A fixed-memory latency histogram: log-spaced buckets, 8 per doubling, so any quantile is within
 * about 9 % of the true value while recording costs one `Math.log2`.
 *
 * @module
 */

const PER_DOUBLING = 8
/** Microseconds from 1 µs up to 2^36 µs (about 19 hours). */
const BUCKETS = 36 * PER_DOUBLING + 1

/** Quantiles of a histogram, in microseconds. @since 0.1.0 */
export interface Quantiles {
  /** How many values were recorded. */
  readonly count: number
  /** The median, in microseconds (0 when empty). */
  readonly p50: number
  /** The 99th percentile, in microseconds (0 when empty). */
  readonly p99: number
  /** The largest value, in microseconds. */
  readonly max: number
}

/** @internal */
export class Histogram {
  readonly #counts = new Uint32Array(BUCKETS)
  #count = 0
  #max = 0

  record(micros: number): void {
    const v = micros < 1 ? 1 : micros
    const i = Math.min(BUCKETS - 1, Math.ceil(Math.log2(v) * PER_DOUBLING))
    this.#counts[i] = (this.#counts[i] ?? 0) + 1
    this.#count++
    if (v > this.#max) this.#max = v
  }

  /** The upper bound of the bucket holding quantile `q` (0 < q <= 1). */
  quantile(q: number): number {
    if (this.#count === 0) return 0
    const rank = Math.ceil(q * this.#count)
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i] ?? 0
      if (seen >= rank) return Math.min(this.#max, 2 ** (i / PER_DOUBLING))
    }
    return this.#max
  }

  snapshot(): Quantiles {
    return { count: this.#count, p50: this.quantile(0.5), p99: this.quantile(0.99), max: this.#max }
  }
}
