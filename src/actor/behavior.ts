/**
 * `behavior`: the function way to define an actor (Akka typed `Behaviors.setup`).
 *
 * @module
 */
import { typeError } from '../errors.js'
import type { ActorContext } from './context.js'

/**
 * What a handler may return: nothing (keep handling with the same handler), a handler or a
 * `Behavior` to handle the next messages with, or a promise of either.
 * @since 0.1.0
 */
export type Next<M> = void | Handler<M> | Behavior<M>

/**
 * Handles one message.
 * @since 0.1.0
 */
export type Handler<M> = (msg: M, ctx: ActorContext<M>) => Next<M> | PromiseLike<Next<M>>

/**
 * A handler plus lifecycle hooks, for a setup that needs them.
 * @since 0.1.0
 */
export interface BehaviorHooks<M> {
  /** Handles one message. */
  readonly receive: Handler<M>
  /** Runs once the actor stopped (after its children). */
  readonly postStop?: ((ctx: ActorContext<M>) => void | PromiseLike<void>) | undefined
  /** Runs before this incarnation is replaced after a failure. */
  readonly preRestart?:
    ((error: unknown, msg: M | undefined, ctx: ActorContext<M>) => void | PromiseLike<void>) | undefined
}

/**
 * What a setup returns: a handler or a handler with hooks, possibly after an await.
 * @since 0.1.0
 */
export type SetupResult<M> = Handler<M> | BehaviorHooks<M>

/**
 * A function-defined actor: `setup` runs once per incarnation (first start and each restart) and
 * returns the message handler, so state kept in its closure is fresh after a restart.
 * @since 0.1.0
 */
export class Behavior<M> {
  /** @internal */
  readonly _setup: (ctx: ActorContext<M>) => SetupResult<M> | PromiseLike<SetupResult<M>>
  /** @internal */
  declare readonly _msg?: (msg: M) => void

  /** @internal Use `behavior()`. */
  constructor(setup: (ctx: ActorContext<M>) => SetupResult<M> | PromiseLike<SetupResult<M>>) {
    // Run only when an actor starts: a bad one would fail there, far from this call.
    if (typeof setup !== 'function') throw typeError('setup', 'a behavior setup function', setup)
    this._setup = setup
  }
}

/**
 * Defines an actor by a setup function that returns its message handler.
 *
 * **Details**: the setup may be async (messages wait until it is done) and may return
 * `{receive, postStop, preRestart}` for hooks. A handler may return the next handler or behaviour
 * (Akka's "return the next behaviour"); returning nothing keeps the current one.
 * @example
 * const counter = behavior<Msg>(() => {
 *   let count = 0
 *   return (msg) => {
 *     if (msg.type === 'inc') count++
 *     else msg.replyTo.tell(count)
 *   }
 * })
 * @since 0.1.0
 */
export function behavior<M>(
  setup: (ctx: ActorContext<M>) => SetupResult<M> | PromiseLike<SetupResult<M>>,
): Behavior<M> {
  return new Behavior(setup)
}

/**
 * A behaviour that handles every message with `handler`, without setup (Akka `Behaviors.receive`).
 * @example
 * const echo = receive<{ text: string; replyTo: ActorRef<string> }>((msg) => msg.replyTo.tell(msg.text))
 * @since 0.1.0
 */
export function receive<M>(handler: Handler<M>): Behavior<M> {
  if (typeof handler !== 'function') throw typeError('handler', 'a message handler function', handler)
  return new Behavior(() => handler)
}
