/**
 * `Lock`: mutual exclusion (gevent / asyncio `Lock`), not re-entrant, FIFO-fair.
 *
 * @module
 */
import { InvalidStateError } from '../errors.js'
import { BoundedSemaphore } from './semaphore.js'

/**
 * A mutual-exclusion lock: a `BoundedSemaphore(1)`, so releasing it while unlocked throws.
 *
 * **Cancellation**: as `Semaphore.acquire`: a wait undone before the grant takes nothing.
 * @example
 * const lock = new Lock()
 * {
 *   using _held = await lock.acquire()
 *   // one task at a time here
 * }
 * await lock.run(async () => update())
 * @since 0.1.0
 */
export class Lock extends BoundedSemaphore {
  constructor() {
    super(1)
  }
  /** @internal */
  override _waitLabel(): string {
    return 'lock: acquire'
  }
  /** @internal */
  override _checkRelease(): void {
    if (this._value >= 1) throw new InvalidStateError('release() called on a Lock that is not locked')
  }
}
