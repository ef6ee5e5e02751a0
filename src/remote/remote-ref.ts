/**
 * Refs to actors in other processes: the same `ActorRef` face as a local ref, backed by the
 * cluster node's connection instead of a cell.
 *
 * A `RemoteActorRef` carries what its wire form carries: the node, the path and the incarnation
 * (`uid`, 0 for "whichever actor lives at that path"). A message for an incarnation that stopped
 * goes to dead letters on the receiving node, never to an actor started later in its place.
 *
 * A `ReplyRef` is the reply-to of an ask made elsewhere: a subject to publish the answer on. It is
 * kind 1 in the sender slot, as a local ask's reply-to is, so a failure or a dead letter of the
 * message fails that ask at once across the network.
 *
 * @module
 */
import type {
  ActorRef,
  AnyActorRef,
  AskOptions,
  AskReply,
  PoisonPill,
  ReplySlot,
} from '../actor/actor-ref.js'
import { REMOTE_REF } from '../actor/actor-ref.js'
import type { SenderSlot } from '../actor/actor-ref.js'
import type { ActorCell } from '../actor/cell.js'
import { currentSender } from '../actor/current.js'

/** What a remote ref needs of its node; the node implements it. @internal */
export interface Link {
  _tell(ref: RemoteActorRef<unknown>, msg: unknown, sender: SenderSlot | undefined): void
  _ask(
    ref: RemoteActorRef<unknown>,
    factory: (replyTo: AnyActorRef) => unknown,
    opts: AskOptions | undefined,
  ): Promise<unknown>
  _reply(ref: ReplyRef, msg: unknown, error: unknown): void
  _watch(ref: RemoteActorRef<unknown>, watcher: ActorCell): void
  _unwatch(ref: RemoteActorRef<unknown>, watcher: ActorCell): void
  _stop(ref: RemoteActorRef<unknown>): Promise<void>
  _broadcast(ref: ServiceRef<unknown>, msg: unknown, sender: SenderSlot | undefined): void
}

/** The wire form of an actor ref. @internal */
export interface RefWire {
  /** Node id. */
  readonly n: string
  /** Path in that node's tree. */
  readonly p: string
  /** Incarnation; 0 matches whichever actor lives at the path. */
  readonly u: number
}

/**
 * A ref to an actor on another node. `tell` is at-most-once and keeps the order of the messages
 * one sender sends it; `ask` always has a timeout.
 * @since 0.3.0
 */
export class RemoteActorRef<M> implements ActorRef<M> {
  /** @internal A sender slot of kind 0: an actor's ref. */
  declare readonly _kind: 0
  /** @internal Marks a ref that is its own `RefTarget`. */
  declare readonly [REMOTE_REF]: true
  /** @internal */
  readonly _link: Link
  /** The id of the node the actor lives on. */
  readonly node: string
  readonly path: string
  /** @internal The incarnation (0: any). */
  readonly _uid: number
  /** @internal The head of the last tell and its sender (outbound.ts keeps them). */
  _head: string | undefined = undefined
  /** @internal */
  _headSender: unknown = undefined
  /** @internal The head of an ask, the same for every ask of this ref. */
  _askHead: string | undefined = undefined

  static {
    Object.defineProperty(this.prototype, '_kind', { value: 0 })
    Object.defineProperty(this.prototype, REMOTE_REF, { value: true })
  }

  /** @internal */
  constructor(link: Link, node: string, path: string, uid: number) {
    this._link = link
    this.node = node
    this.path = path
    this._uid = uid
  }

  tell(msg: M | PoisonPill): void {
    this._link._tell(this, msg, currentSender())
  }

  ask<Q extends M & { readonly replyTo: AnyActorRef }>(
    factory: (replyTo: AnyActorRef) => Q,
    opts?: AskOptions,
  ): Promise<AskReply<M, Q>>
  ask<R>(factory: (replyTo: ActorRef<R>) => M, opts?: AskOptions): Promise<R>
  ask<R>(factory: (replyTo: ActorRef<R>) => M, opts?: AskOptions): Promise<R> {
    return this._link._ask(this, factory, opts) as Promise<R>
  }

  /** @internal `Recipient`: a message with its sender, as routers forward it. */
  _tell(msg: unknown, sender: SenderSlot | undefined): undefined {
    this._link._tell(this, msg, sender)
    return undefined
  }

  /** @internal `WatchTarget`. */
  get self(): AnyActorRef {
    return this
  }

  /** @internal `WatchTarget`. */
  _addWatcher(watcher: ActorCell): void {
    this._link._watch(this, watcher)
  }

  /** @internal `WatchTarget`. */
  _removeWatcher(watcher: ActorCell): void {
    this._link._unwatch(this, watcher)
  }

  /** @internal `StopTarget`. */
  _stop(): Promise<void> {
    return this._link._stop(this)
  }

  /** @internal */
  _wire(): RefWire | { readonly svc: string } {
    return { n: this.node, p: this.path, u: this._uid }
  }

  toString(): string {
    return `ActorRef(${this.node}:${this.path})`
  }
}

/**
 * A cluster router: the ref of a service that actors on several nodes serve (`ClusterNode.serve`).
 * Each message goes to one live instance (a NATS queue group), and when a node goes its share moves
 * to the others with no configuration; `broadcast` reaches every instance. An ask is answered by
 * the instance that got it.
 * @example
 * const carts = node.service<CartMsg>('carts')
 * carts.tell({ type: 'add', item })                        // one instance
 * carts.broadcast({ type: 'flush' })                       // every instance
 * const n = await carts.ask((replyTo) => ({ type: 'count', replyTo }))
 * @since 0.3.0
 */
export class ServiceRef<M> extends RemoteActorRef<M> {
  /** The service's name. */
  readonly service: string

  /** @internal */
  constructor(link: Link, service: string) {
    super(link, '', `/service/${service}`, 0)
    this.service = service
  }

  /** Sends `msg` to every instance of the service (at-most-once to each). */
  broadcast(msg: M): void {
    this._link._broadcast(this, msg, currentSender())
  }

  /** @internal */
  override _wire(): { readonly svc: string } {
    return { svc: this.service }
  }

  override toString(): string {
    return `ServiceRef(${this.service})`
  }
}

/** The reply-to of an ask made on another node: where its answer is published. @internal */
export class ReplyRef implements ActorRef<unknown>, ReplySlot {
  declare readonly _kind: 1
  readonly #link: Link
  /** The subject the asker listens on. */
  readonly subject: string
  #done = false

  static {
    Object.defineProperty(this.prototype, '_kind', { value: 1 })
  }

  constructor(link: Link, subject: string) {
    this.#link = link
    this.subject = subject
  }

  get path(): string {
    return `/temp/${this.subject}`
  }

  /** The first answer goes to the asker; any later one is a dead letter on the asker's node. */
  tell(msg: unknown): void {
    this.#done = true
    this.#link._reply(this, msg, undefined)
  }

  ask(): Promise<never> {
    return Promise.reject(new TypeError(`${this.path} is the reply-to ref of an ask; it cannot be asked`))
  }

  /** The message failed or went to dead letters here: the asker learns it at once. */
  _fail(error: unknown): void {
    if (this.#done) return
    this.#done = true
    this.#link._reply(this, undefined, error)
  }
}
