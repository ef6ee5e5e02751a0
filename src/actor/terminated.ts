/**
 * `Terminated`: the message death watch delivers.
 *
 * @module
 */
import type { AnyActorRef } from './actor-ref.js'

/**
 * Delivered to a watcher when the watched actor stops, for whatever reason, exactly once
 * (Akka `Terminated`, Erlang's `'DOWN'` message). Include it in the watcher's message union to
 * use `ctx.watch(ref)` without a custom message.
 * @example
 * type Msg = { type: 'work' } | Terminated
 * // in receive: if (msg instanceof Terminated) console.log(msg.ref.path, 'stopped')
 * @since 0.1.0
 */
export class Terminated {
  /** Discriminant for message unions. */
  readonly type = 'terminated' as const
  constructor(
    /** The actor that stopped. */
    readonly ref: AnyActorRef,
    /** The failure that stopped it, if a failure did. */
    readonly error?: unknown,
  ) {}
}
