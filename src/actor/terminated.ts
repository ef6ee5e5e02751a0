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
    /**
     * How its end was learned: it `stopped`; for an actor on another node also: there was no such
     * actor when the watch arrived (`not-found`), its node left the cluster (`node-left`), or its
     * node was silent for the failure-detection window (`node-down`).
     */
    readonly reason: TerminatedReason = 'stopped',
  ) {}
}

/** Why a watcher got `Terminated`; see `Terminated.reason`. @since 0.3.0 */
export type TerminatedReason = 'stopped' | 'not-found' | 'node-left' | 'node-down'
