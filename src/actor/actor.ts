/**
 * `Actor`: the class way to define an actor.
 *
 * @module
 */
import type { ActorContext } from './context.js'
import type { SupervisorOptions } from './supervision.js'

/**
 * Base class of class-defined actors. The system constructs the class anew on each start and
 * restart, so fields are the actor's state and a restart gets fresh state.
 *
 * **Details**: `receive` may be async; the next message waits until it settles. The hooks follow
 * Akka: `preStart` on the first start, `postRestart` (default: `preStart`) on the new instance
 * after a failure, `preRestart` on the failed instance, `postStop` once the actor stopped.
 * A `static supervisor` declares how this actor supervises its children.
 * @example
 * type Msg = { type: 'inc' } | { type: 'get'; replyTo: ActorRef<number> }
 * class Counter extends Actor<Msg> {
 *   count = 0
 *   receive(msg: Msg) {
 *     if (msg.type === 'inc') this.count++
 *     else msg.replyTo.tell(this.count)
 *   }
 * }
 * const counter = system.spawn(Counter, { name: 'counter' })
 * @since 0.1.0
 */
export abstract class Actor<M> {
  /** Handles one message; the next waits until a returned promise settles. */
  abstract receive(msg: M, ctx: ActorContext<M>): void | PromiseLike<void>
  /** Runs before the first message of the first incarnation. */
  preStart?(ctx: ActorContext<M>): void | PromiseLike<void>
  /** Runs on the failed instance before it is replaced; `msg` is the failing message, if any. */
  preRestart?(error: unknown, msg: M | undefined, ctx: ActorContext<M>): void | PromiseLike<void>
  /** Runs on the new instance after a restart, instead of `preStart`. */
  postRestart?(error: unknown, ctx: ActorContext<M>): void | PromiseLike<void>
  /** Runs once the actor has stopped, after its children stopped; always runs. */
  postStop?(ctx: ActorContext<M>): void | PromiseLike<void>
}

/**
 * A class of actors handling `M`: what `spawn` accepts besides a `behavior`.
 * @since 0.1.0
 */
export interface ActorClass<M> {
  new (ctx: ActorContext<M>): Actor<M>
  /** How instances supervise their children (OTP: the strategy belongs to the supervisor). */
  readonly supervisor?: SupervisorOptions | undefined
}
