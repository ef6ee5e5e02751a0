/**
 * `ActorContext`: what an actor sees of itself and the system while it handles a message.
 *
 * @module
 */
import type { ActorRef, AnyActorRef, BackpressureRef } from './actor-ref.js'
import type { ActorDef, BackpressureSpawn, ChildSpawnOptions } from './spawn-options.js'
import type { ActorSystem } from './system.js'
import type { Terminated } from './terminated.js'
import type { TimerScheduler } from './timers.js'
import type { Handler } from './behavior.js'
import type { ActorLogger } from './logger.js'

/**
 * The actor's own context, given to `receive`, the lifecycle hooks and a behaviour's setup.
 * It must not leave the actor: other actors hold refs, never contexts.
 * @since 0.1.0
 */
export interface ActorContext<M> {
  /** This actor's ref. */
  readonly self: ActorRef<M>
  /** The sender of the message being handled: the asker's reply-to ref for an ask, else the sending actor when known. */
  readonly sender: AnyActorRef | undefined
  /** The system this actor lives in. */
  readonly system: ActorSystem
  /** Aborts when this incarnation ends (stop or restart); pass it to the I/O an async handler makes. */
  readonly signal: AbortSignal
  /** Single and periodic timers that send this actor messages, on verdant's clock. */
  readonly timers: TimerScheduler<M>
  /** Log lines tagged with this actor's path. */
  readonly log: ActorLogger
  /** Starts a child actor, supervised by this one. */
  spawn<C>(def: ActorDef<C>, opts: BackpressureSpawn & ChildSpawnOptions<C>): BackpressureRef<C>
  spawn<C>(def: ActorDef<C>, opts?: ChildSpawnOptions<C>): ActorRef<C>
  /** The live children of this actor, in start order. */
  children(): AnyActorRef[]
  /** Stops this actor or one of its children after its current message; children stop first. */
  stop(ref?: AnyActorRef): void
  /**
   * Watches `ref`: when it stops, this actor gets `message` or, without it, a `Terminated`,
   * exactly once, also if `ref` is already stopped.
   */
  watch(ref: AnyActorRef, ...message: Terminated extends M ? [message?: M] : [message: M]): void
  /** Stops watching `ref`; a notification not yet handled is dropped. */
  unwatch(ref: AnyActorRef): void
  /** Handles the following messages with `next` (Akka `become`). */
  become(next: Handler<M>): void
  /** Puts the current message aside until `unstashAll`. */
  stash(): void
  /** Puts every stashed message back at the front of the mailbox, in the order they arrived. */
  unstashAll(): void
}
