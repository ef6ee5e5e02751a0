/**
 * `ActorRef`: the address of an actor, the only way to reach it.
 *
 * A ref exposes `tell`, `ask` and `path` and nothing else: the actor's state lives in its cell,
 * which the ref holds in a private field no other code can read. That fixes the first flaw of the
 * talk's actors, which were used through their instances.
 *
 * @module
 */
import type { Wait } from '../core/op.js'
import type { ActorCell } from './cell.js'
import type { Recipient } from './delivery.js'
import type { StopTarget } from './stop.js'
import type { WatchTarget } from './watch.js'
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
 * type Msg = { type: 'inc' } | { type: 'get'; replyTo: ActorRef<number> }
 * counter.tell({ type: 'inc' })
 * const n = await counter.ask((replyTo) => ({ type: 'get', replyTo }), { timeout: 1000 }) // number
 * @since 0.1.0
 */
export interface ActorRef<M> {
  /** Sends `msg` without waiting (fire and forget). */
  tell(msg: M | PoisonPill): void
  /**
   * Sends the message `factory` builds around a temporary reply-to ref and resolves with the
   * first reply. Rejects with `TimeoutError` after `timeout`, with `ActorStoppedError` if the
   * message reaches dead letters, or with the actor's error if handling the message fails.
   * Throws at the call, sending nothing, for a `factory` that is not a function or a bad option.
   *
   * **Cancellation**: while its message waits for room in a back-pressure mailbox, an ask that
   * gives up (its `timeout` or `signal`, or the task waiting on it through `ctx.call` or
   * `yield* call(...)` killed or timed out) withdraws the message, as an undone back-pressure `tell`
   * does, so a retry does not deliver it twice. Once the message is in the mailbox it is delivered.
   *
   * **Details**: this form is picked when the message puts the reply-to ref in its `replyTo`
   * field; the reply type is then read from that field's type in `M` (see `AskReply`), for each
   * message of a union on its own. Write `ask<R>(...)` when the ref travels under another name or
   * the actor answers through `ctx.sender`.
   * @example
   * type Msg = { type: 'get'; replyTo: ActorRef<number> } | { type: 'name'; replyTo: ActorRef<string> }
   * const n = await ref.ask((replyTo) => ({ type: 'get', replyTo })) // number
   * const s = await ref.ask((replyTo) => ({ type: 'name', replyTo })) // string
   */
  ask<Q extends M & { readonly replyTo: AnyActorRef }>(
    factory: (replyTo: AnyActorRef) => Q,
    opts?: AskOptions,
  ): Promise<AskReply<M, Q>>
  /**
   * `ask` with the reply type `R` written out; the reply-to ref the factory gets is an
   * `ActorRef<R>`, so the message must accept a ref of that type.
   */
  ask<R>(factory: (replyTo: ActorRef<R>) => M, opts?: AskOptions): Promise<R>
  /** Where the actor lives in the tree, e.g. `/user/stats/poller-1`. */
  readonly path: string
}

/**
 * The ref of an actor whose bounded mailbox applies back-pressure: `tell` returns a promise that
 * resolves once the message is in the mailbox.
 *
 * **Cancellation**: a tell waiting for room, bound with `ctx.call` or `yield* call(...)`, is undone
 * when its sender is killed or times out, and its message is withdrawn: it never reaches the actor
 * (as an undone queue `put` adds nothing). A tell that is not undone is delivered once.
 * @since 0.1.0
 */
export interface BackpressureRef<M> extends ActorRef<M> {
  /**
   * Enqueues `msg`, waiting for room while the mailbox is full. The message is offered at the call,
   * so a tell nobody awaits still arrives; a wait undone (the sender killed, a timeout) withdraws
   * it, as an undone queue `put` adds nothing. A `Wait`, like `Queue.put`: awaitable, `yield*`-able.
   */
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- seen as a plain ref, the wait may be ignored
  tell(msg: M | PoisonPill): Wait<void>
}

/** A ref to an actor of any message type. @since 0.1.0 */
export type AnyActorRef = ActorRef<unknown>

/**
 * The reply type an ask resolves with when it sends `Q` to an actor of `M` (Akka Typed: the
 * message carries the ref its answer goes to): `R` of the `replyTo: ActorRef<R>` field of the
 * members of `M` that `Q` is, `unknown` for a member without one.
 *
 * **Details**: `Q` is matched against each member of `M` rather than read itself, because the
 * factory builds `Q` around the ask's untyped reply-to ref; a `Q` that is a union gets the union
 * of its members' replies.
 * @example
 * type Msg = { type: 'inc' } | { type: 'get'; replyTo: ActorRef<number> }
 * type N = AskReply<Msg, { type: 'get'; replyTo: AnyActorRef }> // number
 * @since 0.2.0
 */
export type AskReply<M, Q> = Q extends unknown
  ? M extends unknown
    ? Q extends M
      ? M extends { readonly replyTo?: ActorRef<infer R> | undefined }
        ? R
        : unknown
      : never
    : never
  : never

/**
 * What fills the sender slot next to each message: an actor's ref, an ask's reply-to ref, or an
 * internal token (timer, death watch) checked when the message is handled. @internal
 */
export interface SenderSlot {
  /** 0 actor ref (a remote one too), 1 ask ref, 2 and up: tokens the receiving cell validates. */
  readonly _kind: number
}

/**
 * The sender slot of kind 1: the reply-to ref of an ask, this process's own or one that came over
 * the network. Failing it fails the ask at once (its message failed or went to dead letters).
 * @internal
 */
export interface ReplySlot extends SenderSlot {
  readonly _kind: 1
  _fail(error: unknown): void
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

  ask<Q extends M & { readonly replyTo: AnyActorRef }>(
    factory: (replyTo: AnyActorRef) => Q,
    opts?: AskOptions,
  ): Promise<AskReply<M, Q>>
  ask<R>(factory: (replyTo: ActorRef<R>) => M, opts?: AskOptions): Promise<R>
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

/**
 * The cell behind a local ref, or undefined for anything else.
 * @internal
 */
export function cellOf(ref: unknown): ActorCell | undefined {
  return ref instanceof ActorRefImpl ? cellOfRef(ref) : undefined
}

/**
 * What delivery, stop and death watch act on, whichever kind of ref leads to it: a local actor's
 * cell, or a ref to an actor in another process, which does each over its connection. @internal
 */
export type RefTarget = Recipient & StopTarget & WatchTarget

/**
 * Marks a class of refs to actors elsewhere (set on its prototype): such a ref is its own
 * `RefTarget`. The actor layer does not know the classes, which live above it. @internal
 */
export const REMOTE_REF: unique symbol = Symbol('verdant.remoteRef')

/** The target behind `ref`: its cell for a local ref, the ref itself for a remote one. @internal */
export function targetOf(ref: unknown): RefTarget | ActorCell | undefined {
  if (ref instanceof ActorRefImpl) return cellOfRef(ref)
  if (typeof ref === 'object' && ref !== null && (ref as { [REMOTE_REF]?: true })[REMOTE_REF] === true) {
    return ref as unknown as RefTarget
  }
  return undefined
}
