/**
 * `ActorRef`: the address of an actor, the only way to reach it.
 *
 * A ref exposes `tell`, `ask` and `path` and nothing else: the actor's state lives in its cell,
 * which the ref holds in a private field no other code can read. That fixes the first flaw of the
 * talk's actors, which were used through their instances.
 *
 * @module
 */
import type { ActorCell } from './cell.js'
import { ask } from './ask.js'
import { currentSender } from './current.js'

/**
 * A message that stops the actor after the messages queued before it (Akka `PoisonPill`).
 * @example
 * worker.tell(PoisonPill)
 * @since 0.1.0
 */
export const PoisonPill: unique symbol = Symbol('PoisonPill')
/** The type of `PoisonPill`. @since 0.1.0 */
export type PoisonPill = typeof PoisonPill

/** Options of `ask`. @since 0.1.0 */
export interface AskOptions {
  /** Give up after this many ms with a `TimeoutError`; a later reply goes to dead letters. */
  readonly timeout?: number | undefined
  /** Give up when this signal aborts, rejecting with its reason. */
  readonly signal?: AbortSignal | undefined
}

/**
 * The address of an actor that accepts messages of type `M`.
 *
 * **Details**: `tell` never blocks and never throws for a stopped actor (the message goes to
 * dead letters); it throws `MailboxFullError` only for a full bounded mailbox whose policy is
 * `fail`. Refs compare with `===`: one actor has one ref, across restarts.
 * @example
 * counter.tell({ type: 'inc' })
 * const n = await counter.ask<number>((replyTo) => ({ type: 'get', replyTo }), { timeout: 1000 })
 * @since 0.1.0
 */
export interface ActorRef<M> {
  /** Sends `msg` without waiting (fire and forget). */
  tell(msg: M | PoisonPill): void
  /**
   * Sends the message `factory` builds around a temporary reply-to ref and resolves with the
   * first reply. Rejects with `TimeoutError` after `timeout`, with `ActorStoppedError` if the
   * message reaches dead letters, or with the actor's error if handling the message fails.
   */
  ask<R>(factory: (replyTo: ActorRef<R>) => M, opts?: AskOptions): Promise<R>
  /** Where the actor lives in the tree, e.g. `/user/stats/poller-1`. */
  readonly path: string
}

/**
 * The ref of an actor whose bounded mailbox applies back-pressure: `tell` returns a promise that
 * resolves once the message is in the mailbox.
 * @since 0.1.0
 */
export interface BackpressureRef<M> extends ActorRef<M> {
  /** Enqueues `msg`, waiting for room while the mailbox is full. */
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- seen as a plain ref, the wait may be ignored
  tell(msg: M | PoisonPill): Promise<void>
}

/** A ref to an actor of any message type. @since 0.1.0 */
export type AnyActorRef = ActorRef<unknown>

/**
 * What fills the sender slot next to each message: an actor's ref, an ask's reply-to ref, or an
 * internal token (timer, death watch) checked when the message is handled. @internal
 */
export interface SenderSlot {
  /** 0 actor ref, 1 ask ref, 2 and up: tokens the receiving cell validates. */
  readonly _kind: number
}

let cellOfRef: (ref: ActorRefImpl<unknown>) => ActorCell

/** @internal The ref of a local actor. */
export class ActorRefImpl<M> implements ActorRef<M>, SenderSlot {
  declare readonly _kind: 0
  readonly #cell: ActorCell

  constructor(cell: ActorCell) {
    this.#cell = cell
  }

  static {
    cellOfRef = (ref) => ref.#cell
    Object.defineProperty(this.prototype, '_kind', { value: 0 })
  }

  tell(msg: M | PoisonPill): void {
    return this.#cell._tell(msg, currentSender()) as undefined
  }

  ask<R>(factory: (replyTo: ActorRef<R>) => M, opts?: AskOptions): Promise<R> {
    return ask(this.#cell, factory, opts)
  }

  get path(): string {
    return this.#cell._path()
  }

  toString(): string {
    return `ActorRef(${this.path})`
  }
}

/** The cell behind a local ref, or undefined for anything else. @internal */
export function cellOf(ref: unknown): ActorCell | undefined {
  return ref instanceof ActorRefImpl ? cellOfRef(ref) : undefined
}
