/**
 * `asCompleted(futures)`: the futures themselves, in the order they finish.
 *
 * @module
 */
import { checkMs, checkOptions, TimeoutError } from '../errors.js'
import type { Future } from '../core/future.js'
import { futureList } from '../core/join.js'
import { getClock, type Timer } from '../platform/clock.js'

/**
 * A future `asCompleted` hands out: the same object, typed without `then`. TypeScript types the
 * element of `for await` as `Awaited<T>`, which for a thenable would be its value, not the future;
 * since the future is done, read it with `result()`, `value` or `exception`.
 * @since 0.1.0
 */
export type Completed<F> = Omit<F, 'then' | 'catch'>

/** Options of `asCompleted`. @since 0.1.0 */
export interface AsCompletedOptions {
  /** The whole iteration must end within this many ms, or the next step throws `TimeoutError`. */
  readonly timeout?: number | undefined
}

/**
 * Yields each future once, as it finishes, whatever its outcome (asyncio 3.13 `as_completed`,
 * concurrent.futures `as_completed`). Read the outcome from the future: `f.result()` gives the
 * value or throws, `f.exception` the error.
 *
 * **Cancellation**: leaving the loop early (`break`, `return`, a throw) removes every callback and
 * the timer; the futures are untouched.
 * **Throws**: `TypeError` at the call unless `futures` is an iterable of futures or tasks;
 * `TimeoutError` when `timeout` passes before all are done.
 * @example
 * for await (const f of asCompleted(tasks)) console.log(f.state, f.value)
 * @since 0.1.0
 */
export function asCompleted<F extends Future<unknown>>(
  futures: Iterable<F>,
  opts?: AsCompletedOptions,
): AsyncIterableIterator<Completed<F>> {
  const all = [...new Set(futureList<F>('futures', futures))]
  const timeout = checkOptions(opts)?.timeout
  const ms = timeout === undefined ? undefined : checkMs('timeout', timeout)
  const ready: F[] = []
  let remaining = all.length
  let wake: (() => void) | undefined
  let timer: Timer | undefined
  let expired = false
  let closed = false
  let started = false

  const onDone = (f: never): void => {
    ready.push(f as F)
    wake?.()
  }
  const close = (): void => {
    if (closed) return
    closed = true
    timer?.cancel()
    for (const f of all) f._unlisten(onDone)
  }
  const start = (): void => {
    started = true
    for (const f of all) {
      f._observed = true
      f._listen(onDone)
    }
    if (ms !== undefined && ms !== Infinity && remaining > 0) {
      timer = getClock().setTimer(ms, () => {
        expired = true
        wake?.()
      })
    }
  }

  const iterator: AsyncIterableIterator<Completed<F>> = {
    async next(): Promise<IteratorResult<Completed<F>>> {
      if (!started) start()
      for (;;) {
        if (closed || remaining === 0) {
          close()
          return { done: true, value: undefined }
        }
        const f = ready.shift()
        if (f !== undefined) {
          remaining--
          if (remaining === 0) close()
          return { done: false, value: f }
        }
        if (expired) {
          close()
          throw new TimeoutError(`asCompleted: ${remaining} of ${all.length} not done within ${ms ?? 0} ms`)
        }
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        wake = undefined
      }
    },
    return(): Promise<IteratorResult<Completed<F>>> {
      close()
      return Promise.resolve({ done: true, value: undefined })
    },
    [Symbol.asyncIterator]() {
      return iterator
    },
  }
  return iterator
}
