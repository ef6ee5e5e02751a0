/**
 * `wait(futures, {returnWhen})`: wait for some or all, never throwing for their outcomes.
 *
 * @module
 */
import { checkMs } from '../errors.js'
import type { Future } from '../core/future.js'
import { type Cancel, Op, type Resume } from '../core/op.js'
import { getClock, type Timer } from '../time/clock.js'

/** When `wait` returns. @since 0.1.0 */
export type ReturnWhen = 'FIRST_COMPLETED' | 'FIRST_EXCEPTION' | 'ALL_COMPLETED'

/** Options of `wait`. @since 0.1.0 */
export interface WaitForOptions {
  /** Return what is done after this many ms; never throws on timeout. */
  readonly timeout?: number | undefined
  /** `ALL_COMPLETED` (default), `FIRST_COMPLETED`, or `FIRST_EXCEPTION` (a failure, else all). */
  readonly returnWhen?: ReturnWhen | undefined
  /** Abandon the wait when this signal aborts. */
  readonly signal?: AbortSignal | undefined
}

/** The outcome of `wait`. @since 0.1.0 */
export interface WaitResult<F> {
  readonly done: Set<F>
  readonly pending: Set<F>
}

class WaitOp<F extends Future<unknown>> extends Op<WaitResult<F>> {
  constructor(
    readonly futures: F[],
    readonly ms: number | undefined,
    readonly when: ReturnWhen,
    signal: AbortSignal | undefined,
  ) {
    super()
    this._signal = signal
  }

  _start(resume: Resume<WaitResult<F>>): Cancel | undefined {
    const done = new Set<F>()
    const pending = new Set(this.futures)
    let over = false
    let timer: Timer | undefined
    const finish = (): void => {
      if (over) return
      over = true
      timer?.cancel()
      for (const f of this.futures) f._unlisten(onDone)
      resume(true, { done, pending })
    }
    const onDone = (f: never): void => {
      const fut = f as F
      if (over) return
      pending.delete(fut)
      done.add(fut)
      const w = this.when
      if (
        pending.size === 0 ||
        w === 'FIRST_COMPLETED' ||
        (w === 'FIRST_EXCEPTION' && fut._state === 'failed')
      ) {
        finish()
      }
    }
    for (const f of this.futures) {
      f._observed = true
      f._listen(onDone)
      if (over) return undefined
    }
    const ms = this.ms
    if (ms !== undefined && ms !== Infinity) timer = getClock().setTimer(ms, finish)
    return () => {
      over = true
      timer?.cancel()
      for (const f of this.futures) f._unlisten(onDone)
    }
  }
}

/**
 * Waits for futures and returns `{done, pending}` (asyncio / concurrent.futures `wait`).
 *
 * **Details**: never rejects for a future's failure or on timeout, and never cancels anything.
 * **Throws**: `RangeError` for an empty set or a bad `returnWhen`.
 * @example
 * const { done, pending } = await wait(tasks, { returnWhen: 'FIRST_COMPLETED' })
 * @since 0.1.0
 */
export function wait<F extends Future<unknown>>(
  futures: Iterable<F>,
  opts?: WaitForOptions,
): Op<WaitResult<F>> {
  const list = [...new Set(futures)]
  if (list.length === 0) throw new RangeError('wait() needs at least one future')
  const when = opts?.returnWhen ?? 'ALL_COMPLETED'
  if (when !== 'ALL_COMPLETED' && when !== 'FIRST_COMPLETED' && when !== 'FIRST_EXCEPTION') {
    throw new RangeError(
      `Expected \`returnWhen\` to be ALL_COMPLETED, FIRST_COMPLETED or FIRST_EXCEPTION, got \`${String(when)}\``,
    )
  }
  const ms = opts?.timeout === undefined ? undefined : checkMs('timeout', opts.timeout)
  return new WaitOp(list, ms, when, opts?.signal)
}
