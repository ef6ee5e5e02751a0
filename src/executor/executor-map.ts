/**
 * `executor.map`: a lazy, bounded map over any iterable, in chunks, with a deadline for the whole.
 *
 * Items are read only as chunks can be submitted (at most `window` in flight), so an endless or
 * slow source is fine; results come in input order, or as chunks complete. Leaving early, the
 * signal, the deadline or the first failure cancels what is in flight and closes the source.
 *
 * @module
 */
import { abortError } from '../core/op.js'
import { TimeoutError } from '../errors.js'
import { wait } from '../future/wait.js'
import { realClock } from '../platform/clock.js'
import type { MapSettings } from './executor-options.js'
import type { JobFuture } from './job-future.js'

/** Runs `items` through `submit`, one chunk per job, and yields the results. @internal */
export async function* mapChunks<T, R>(
  submit: (chunk: T[], first: number) => JobFuture<Awaited<R>[]>,
  items: Iterable<T> | AsyncIterable<T>,
  o: MapSettings,
): AsyncGenerator<Awaited<R>, void, undefined> {
  const { chunksize, window, ordered, timeoutMs, signal } = o
  // The whole map's limit runs on real time, as every executor timer does: the jobs run on real
  // time in their workers, and a virtual clock (which `wait`'s own timeout would follow) could
  // neither bound them nor be measured against `performance.now()`.
  const limit = timeoutMs === undefined ? undefined : new AbortController()
  const limitTimer =
    limit === undefined || timeoutMs === undefined
      ? undefined
      : realClock.setTimer(timeoutMs, () => {
          limit.abort(new TimeoutError('map() did not finish within its timeout'))
        })
  const onAbort = (): void => {
    limit?.abort(signal?.reason)
  }
  if (limit !== undefined) signal?.addEventListener('abort', onAbort, { once: true })
  const waitSignal = limit?.signal ?? signal
  const it =
    typeof (items as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === 'function'
      ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (items as Iterable<T>)[Symbol.iterator]()
  const inflight: JobFuture<Awaited<R>[]>[] = []
  let exhausted = false
  let taken = 0
  try {
    for (;;) {
      while (!exhausted && inflight.length < window) {
        const chunk: T[] = []
        while (chunk.length < chunksize) {
          const r = await it.next()
          if (r.done === true) {
            exhausted = true
            break
          }
          chunk.push(r.value)
        }
        if (chunk.length === 0) break
        inflight.push(submit(chunk, taken))
        taken += chunk.length
      }
      const head = inflight[0]
      if (head === undefined) return
      const next = ordered ? head : inflight.find((job) => job.done)
      if (next === undefined || !next.done) {
        if (waitSignal?.aborted === true) throw abortError(waitSignal)
        await wait(ordered ? [head] : inflight, { returnWhen: 'FIRST_COMPLETED', signal: waitSignal })
        continue
      }
      inflight.splice(inflight.indexOf(next), 1)
      for (const v of next.result()) yield v
    }
  } finally {
    limitTimer?.cancel()
    signal?.removeEventListener('abort', onAbort)
    for (const job of inflight) job.cancel('map() was closed')
    if (!exhausted) await it.return?.()
  }
}
