/**
 * A listener subscription as an async iterator: what every `events()` of the library returns.
 *
 * Events wait in an unbounded buffer until read, since a reader that falls behind must not lose
 * any; the subscription starts at the call, so nothing is missed before the first `next()`, and
 * it ends only when the reader leaves the loop or the signal aborts, which is when the listener
 * is removed.
 *
 * @module
 */
import { abortError } from '../core/op.js'
import { RingBuffer } from './ring-buffer.js'

const DONE: IteratorResult<never> = Object.freeze({ done: true, value: undefined })

/**
 * Iterates what `subscribe` hands its listener. `subscribe` registers the listener and returns its
 * removal. When `signal` aborts, a waiting `next()` rejects with its reason and later calls give
 * `done`. @internal
 */
export function eventIterator<T>(
  subscribe: (listener: (event: T) => void) => () => void,
  signal: AbortSignal | undefined,
): AsyncIterableIterator<T> {
  const buffer = new RingBuffer<T>()
  const waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = []
  let closed = false
  const off = subscribe((e) => {
    const w = waiting.shift()
    if (w === undefined) buffer.push(e)
    else w.resolve({ done: false, value: e })
  })
  const close = (error?: unknown): void => {
    if (closed) return
    closed = true
    off()
    signal?.removeEventListener('abort', onAbort)
    for (const w of waiting.splice(0)) {
      if (error === undefined) w.resolve(DONE)
      else w.reject(error)
    }
  }
  const onAbort = (): void => {
    close(abortError(signal as AbortSignal))
  }
  if (signal?.aborted === true) close()
  else signal?.addEventListener('abort', onAbort, { once: true })
  const it: AsyncIterableIterator<T> = {
    next(): Promise<IteratorResult<T>> {
      if (buffer.size > 0) return Promise.resolve({ done: false, value: buffer.shift() as T })
      if (closed) return Promise.resolve(DONE)
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }))
    },
    return(): Promise<IteratorResult<T>> {
      close()
      buffer.drain()
      return Promise.resolve(DONE)
    },
    [Symbol.asyncIterator]() {
      return it
    },
  }
  return it
}
