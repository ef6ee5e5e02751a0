/**
 * `Channel`: a rendezvous, where `put` waits until a `get` takes the item (gevent `Channel`).
 *
 * @module
 */
import { Queue } from './queue.js'

/**
 * A queue with no room: `put(item)` resolves only when a `get()` has taken that item, so a
 * producer never runs ahead of its consumer.
 * @example
 * const ch = new Channel<number>()
 * spawn(async () => console.log(await ch.get()))
 * await ch.put(1) // resolves once the getter has it
 * @since 0.1.0
 */
export class Channel<T> extends Queue<T> {
  /** @internal */
  override _capacity(): number {
    return 0
  }
}
