/**
 * `gather(futures)`: all the values, in order.
 *
 * @module
 */
import { checkOptions, typeError } from '../errors.js'
import { Future } from '../core/future.js'
import { isThenable } from '../core/op.js'

/** Options of `gather`. @since 0.1.0 */
export interface GatherOptions {
  /** Keep going on failures: each failed slot holds its error instead of rejecting. */
  readonly returnExceptions?: boolean | undefined
}

type Values<T extends readonly unknown[]> = { -readonly [K in keyof T]: Awaited<T[K]> }
/** With `returnExceptions`, a slot holds the value or whatever the item threw. */
type ValuesOrErrors<T extends readonly unknown[]> = { -readonly [K in keyof T]: unknown }

/**
 * Waits for every future, task or promise and returns their values in the order given (asyncio
 * `gather`).
 *
 * **Details**: the first failure rejects at once and cancels every future and task still pending
 * (plain promises cannot be cancelled and are abandoned). With `returnExceptions`, failures are
 * returned in their slots and nothing is cancelled.
 * **Throws**: `TypeError` at the call unless `items` is an array.
 * @example
 * const [a, b] = await gather([spawn(fetchA), spawn(fetchB)])
 * @since 0.1.0
 */
export function gather<const T extends readonly unknown[]>(
  items: T,
  opts?: { returnExceptions?: false },
): Promise<Values<T>>
export function gather<const T extends readonly unknown[]>(
  items: T,
  opts: { returnExceptions: true },
): Promise<ValuesOrErrors<T>>
export function gather(items: readonly unknown[], opts?: GatherOptions): Promise<unknown[]> {
  // Items may be plain values (they fill their slot as is), so only the collection is checked.
  if (!Array.isArray(items)) throw typeError('items', 'an array of futures, tasks or promises', items)
  const keep = checkOptions(opts)?.returnExceptions === true
  const out: unknown[] = new Array<unknown>(items.length)
  let left = items.length
  return new Promise<unknown[]>((resolve, reject) => {
    if (left === 0) {
      resolve(out)
      return
    }
    let over = false
    const settle = (i: number, ok: boolean, value: unknown): void => {
      if (over) return
      if (ok || keep) {
        out[i] = value
        if (--left === 0) {
          over = true
          resolve(out)
        }
        return
      }
      over = true
      for (const item of items)
        if (item instanceof Future && !item.done) item.cancel('gather: a sibling failed')
      reject(value)
    }
    items.forEach((item, i) => {
      if (item instanceof Future) {
        item._observed = true
        item._listen(() => {
          settle(i, item._state === 'succeeded', item._result)
        })
      } else if (isThenable(item)) {
        item.then(
          (v) => {
            settle(i, true, v)
          },
          (e: unknown) => {
            settle(i, false, e)
          },
        )
      } else {
        settle(i, true, item)
      }
    })
  })
}
