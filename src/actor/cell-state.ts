/**
 * A cell's state word and its rare state: the flags every part of a cell reads, and the extension
 * object that holds what most actors never use.
 *
 * Nothing here runs actor code, so every module of the actor layer can import it without a cycle:
 * its only imports are types. An idle actor costs one cell object; everything else here is made on
 * first use and hangs off the cell's `_ext` field.
 *
 * @module
 */
import type { Timer } from '../platform/clock.js'
import type { SenderSlot } from './actor-ref.js'
import type { TellWait } from './delivery.js'
import type { ActorLogger } from './logger.js'
import type { ResolvedStrategy, RestartType, RestartWindow } from './supervision.js'
import type { ActorSystem } from './system.js'
import type { TimerScheduler } from './timers.js'
import type { Watcher, WatchTarget } from './watch.js'

/** In the dispatcher's ready list. @internal */
export const SCHEDULED = 1
/** Waiting for an async handler or hook. @internal */
export const BUSY = 2
/** Failed or being restarted: handles no message until its supervisor decides. @internal */
export const SUSPENDED = 4
/** Not started yet. @internal */
export const NEW = 8
/** Stop requested: handles no further message. @internal */
export const STOPPING = 16
/** Stopped for good. @internal */
export const DEAD = 32
/** Part of a restart in progress. @internal */
export const RESTARTING = 64
/** Any of these keeps the dispatcher from running the cell. @internal */
export const BLOCKED = BUSY | SUSPENDED | STOPPING | DEAD

/** "No message": a failure while starting, or nothing being handled. @internal */
export const NO_MSG: unique symbol = Symbol('no message')

/** What most actors never need, made on first use by `extOf`. @internal */
export class CellExt {
  /** Actors to tell when this one stops; null once they were told. */
  watchers: Set<Watcher> | null = null
  /** What this actor watches, each with the message its stop is to deliver. */
  watching: Map<WatchTarget, unknown> | null = null
  /** Stashed messages and their sender slots, alternating, oldest first. */
  stash: unknown[] | null = null
  /** Its last failure (the observer shows it): when, epoch ms, and the error. */
  lastFailure: { readonly at: number; readonly error: unknown } | null = null
  /** `ctx.timers`, made on first read. */
  timers: TimerScheduler<unknown> | null = null
  /** `ctx.log`, made on first read. */
  log: ActorLogger | null = null
  /** Behind `ctx.signal`; replaced at each restart, so each incarnation has its own. */
  abort: AbortController | null = null
  /** Whether its supervisor restarts it after a failure, after any stop, or never. */
  restartType: RestartType = 'transient'
  /** How this actor supervises its children. */
  strategy: ResolvedStrategy | null = null
  /** For a top-level actor: how the guardian supervises it. */
  supervision: ResolvedStrategy | null = null
  /** Restart intensity of this actor as a supervisor: its children's restarts. */
  window: RestartWindow | null = null
  /**
   * For a top-level actor: its own restarts, counted by the guardian. Apart from `window`, which
   * counts its children's: the two limits are different supervisors' (OTP keeps one per supervisor).
   */
  guardianWindow: RestartWindow | null = null
  /** Backoff restarts in a row: the step of the next delay, reset once it ran long enough. */
  backoffStep = 0
  /** When it was last restarted, on the clock's time. */
  lastRestartAt = -Infinity
  /** How many times it was restarted, for `inspect`. */
  restarts = 0
  /** Incarnation number: late settlements of an older incarnation's handler are ignored. */
  incarnation = 0
  /** Stops and restarts waiting for the handler or hook in flight to settle. */
  idleWaiters: (() => void)[] | null = null
  /** The stop under way or done; set once, so every stop request shares it. */
  terminated: Promise<void> | null = null
  /** The restart this actor is part of, while it runs. */
  restarting: Promise<void> | null = null
  /** The delay before a backoff restart, which a stop cuts short. */
  backoff: { timer: Timer; resolve: () => void } | null = null
  /** The failure that stopped it, for the `Terminated` its watchers get. */
  stopError: unknown = undefined
  /** Back-pressured tells waiting for room, oldest first. */
  blockedTells: TellWait[] | null = null
  /** The message an async handler is still handling (`stash()` after an await needs it). */
  asyncMsg: unknown = NO_MSG
  /** The sender slot of `asyncMsg` (`ctx.sender` after an await needs it). */
  asyncSender: SenderSlot | undefined = undefined
  /** Only the guardian holds the system; other cells find it through their parents. */
  system: ActorSystem | null = null
}

/** The cell's rare state, made on first use. @internal */
export function extOf(cell: { _ext: CellExt | null }): CellExt {
  return (cell._ext ??= new CellExt())
}
