/**
 * What `spawn` accepts: an actor definition and its options.
 *
 * @module
 */
import type { ActorClass } from './actor.js'
import type { Behavior } from './behavior.js'
import type { MailboxOptions } from './mailbox.js'
import type { RestartType, SupervisionOptions, SupervisorOptions } from './supervision.js'

/**
 * An actor definition: an `Actor` subclass or a `behavior`.
 * @since 0.1.0
 */
export type ActorDef<M> = ActorClass<M> | Behavior<M>

/**
 * Options of `ctx.spawn` (a child actor).
 * @since 0.1.0
 */
export interface ChildSpawnOptions<M> {
  /** Unique among the live siblings; no `/`, not starting with `$`. Default: an anonymous `$n`. */
  readonly name?: string | undefined
  /** Unbounded by default; bounded with an overflow policy, or priority. */
  readonly mailbox?: MailboxOptions<M> | undefined
  /** How this actor supervises its own children (overrides a class's `static supervisor`). */
  readonly supervisor?: SupervisorOptions | undefined
  /**
   * When its supervisor restarts this actor (OTP child restart type): `permanent` after a failure
   * or after it stopped itself, `transient` (default) after a failure only, `temporary` never.
   */
  readonly restart?: RestartType | undefined
}

/**
 * Options of `system.spawn` (a top-level actor, supervised by the system's guardian).
 * @since 0.1.0
 */
export interface SpawnOptions<M> extends ChildSpawnOptions<M> {
  /** How the guardian supervises this actor: decision per error, restart intensity (one-for-one). */
  readonly supervision?: SupervisionOptions | undefined
}

/**
 * Spawn options whose mailbox applies back-pressure, so the ref's `tell` returns a promise.
 * @since 0.1.0
 */
export interface BackpressureSpawn {
  readonly mailbox: { readonly overflow: 'backpressure'; readonly capacity: number }
}
