/**
 * `shield(future)`: protect work from the cancellation of whoever waits for it.
 *
 * @module
 */
import { typeError } from '../errors.js'
import { Future } from '../core/future.js'
import { reportNow } from '../core/report.js'

/**
 * Returns a new future that mirrors `inner`. Cancelling the returned future does not cancel
 * `inner`; `inner` being cancelled cancels the returned one (asyncio `shield`).
 *
 * @example
 * const saved = shield(spawn(saveToDisk)) // a killed caller does not abort the save
 * await ctx.call(saved)
 * @since 0.1.0
 */
export function shield<T>(inner: Future<T>): Future<T> {
  if (!(inner instanceof Future)) throw typeError('inner', 'a future or task', inner)
  const outer = new Future<T>()
  inner._observed = true
  inner._listen(() => {
    if (outer.done) {
      // Nobody waits any more: a failure of the shielded work must still be seen.
      if (inner._state === 'failed') reportNow(inner._result, `shielded ${inner._label()}`)
      return
    }
    if (inner._state === 'succeeded') outer.setResult(inner._result as T)
    else if (inner._state === 'cancelled') outer._settle('cancelled', inner._result)
    else outer.setException(inner._result)
  })
  return outer
}
