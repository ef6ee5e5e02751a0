/**
 * `joinCluster` and `ClusterNode`: an actor system joined to a cluster over one NATS connection.
 *
 * Each node listens on one subject of its own for every frame addressed to its actors (tells, asks,
 * watches), so the frames one sender sends one receiver arrive in order: NATS keeps the order of
 * one connection's messages to one subscriber. One more subject takes the answers to its asks, and
 * one the cluster's heartbeats.
 *
 * `tell` is at-most-once: a frame is published and forgotten. What the node knows cannot arrive
 * (the target's node down, the connection closed) goes to dead letters at the call; what the
 * network loses afterwards nobody can know. `ask` always has a timeout and always ends: answered,
 * or rejected with a typed error naming the target and the message type.
 *
 * @module
 */
import { observe, unobserve } from '../platform/observed.js'
import { type ConnectionOptions, connect, type Msg, type NatsConnection } from '@nats-io/transport-node'
import {
  AskTimeoutError,
  checkMs,
  checkOptions,
  checkSignal,
  describe,
  typeError,
  VerdantError,
} from '../errors.js'
import { type ActorRef, type AnyActorRef, cellOf } from '../actor/actor-ref.js'
import type { ActorSystem } from '../actor/system.js'
import { eventIterator } from '../queue/event-iterator.js'
import { type ClusterOptions, type ClusterSettings, clusterSettings } from './cluster-options.js'
import { NodeCore } from './core.js'
import { subjectsOf } from './subjects.js'
import { Directory } from './directory.js'
import { onNodeFrame, onReply } from './inbound.js'
import type { Beat, Member, MemberEvent } from './membership.js'
import type { ServiceRef } from './remote-ref.js'
import type { Provided } from './provided.js'
import { checkRemoteChild, remoteChild, type RemoteChildOptions } from './remote-child.js'
import type { Behavior } from '../actor/behavior.js'

/**
 * Joining failed: the servers could not be reached, or refused this node (wrong credentials,
 * TLS). `cause` is the NATS client's error.
 * @since 0.3.0
 */
export class ClusterJoinError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_CLUSTER_JOIN'
}

/** Options of `ClusterNode.lookup`. @since 0.3.0 */
export interface LookupOptions {
  /** How long to wait for the node that holds the name (default: the cluster's `askTimeoutMs`). */
  readonly timeout?: number | undefined
}

/**
 * Joins `system` to the cluster of the systems of the same name on the NATS servers in `opts`,
 * and resolves once this node is listening and has announced itself.
 *
 * **Throws**: `TypeError`/`RangeError` at the call for a bad option; rejects with
 * `ClusterJoinError` when the servers cannot be reached or refuse the credentials.
 * @example
 * const system = new ActorSystem({ name: 'shop' })
 * const node = await joinCluster(system, { servers: 'nats://127.0.0.1:4222', nodeId: 'web-1' })
 * await node.register('cart', system.spawn(Cart))
 * const cart = await node.lookup<CartMsg>('cart') // from any node of 'shop'
 * @since 0.3.0
 */
export function joinCluster(system: ActorSystem, opts?: ClusterOptions): Promise<ClusterNode> {
  if (typeof system !== 'object' || system === null || typeof system.spawn !== 'function') {
    throw typeError('system', 'an ActorSystem', system)
  }
  return ClusterNode._join(system, clusterSettings(opts))
}

/**
 * One actor system's membership of a cluster: its node id, the members it sees, the names and
 * services it offers, and refs to actors on other nodes.
 * @since 0.3.0
 */
export class ClusterNode implements AsyncDisposable {
  /** This node's id. */
  readonly id: string
  /** The actor system this node serves. */
  readonly system: ActorSystem
  readonly #core: NodeCore
  readonly #directory: Directory
  #left: Promise<void> | undefined

  private constructor(core: NodeCore) {
    this.id = core.id
    this.system = core.system
    this.#core = core
    this.#directory = new Directory(core)
    observe('cluster-node', this)
  }

  /** @internal */
  static async _join(system: ActorSystem, settings: ClusterSettings): Promise<ClusterNode> {
    let nc: NatsConnection
    try {
      nc = await connect({
        name: `verdant:${system.name}:${settings.nodeId}`,
        // Request inboxes under the cluster's prefix, so a node's permissions can stay inside it.
        inboxPrefix: subjectsOf(system.name).inbox(settings.nodeId),
        ...(settings.nats as ConnectionOptions),
      })
    } catch (err) {
      throw new ClusterJoinError(
        `could not join the cluster of ${JSON.stringify(system.name)} at ${String(settings.nats.servers)}: ${describe(err)}`,
        { cause: err },
      )
    }
    const core = new NodeCore(system, nc, settings)
    const s = core.subjects
    try {
      core.nodeSub = nc.subscribe(s.node(core.id), { callback: (_e, msg) => onNodeFrame(core, msg) })
      nc.subscribe(s.replies(core.id), { callback: (_e, msg) => onReply(core, msg) })
      nc.subscribe(s.members, { callback: (_e, msg) => onBeat(core, msg) })
      // A subscription is the server's once flushed; only then may others learn this node exists.
      await nc.flush()
    } catch (err) {
      await nc.close()
      throw new ClusterJoinError(`could not subscribe to the cluster's subjects: ${describe(err)}`, {
        cause: err,
      })
    }
    core.membership.start()
    void core.followStatus()
    void nc.closed().then(() => core.closed())
    return new ClusterNode(core)
  }

  // ---- membership ----

  /** The members this node sees, itself first. */
  members(): Member[] {
    return this.#core.membership.members()
  }

  /** Calls `listener` with every later membership event; returns the unsubscribe function. */
  subscribe(listener: (event: MemberEvent) => void): () => void {
    if (typeof listener !== 'function') throw typeError('listener', 'a function', listener)
    const listeners = this.#core.listeners
    listeners.add(listener)
    return () => {
      listeners.delete(listener)
    }
  }

  /**
   * Membership events as an async iterator, from this call on; leave the loop or abort `signal`
   * to unsubscribe.
   * @example
   * for await (const e of node.events()) if (e.type === 'down') console.log(e.node, e.reason)
   */
  events(opts?: { readonly signal?: AbortSignal | undefined }): AsyncIterableIterator<MemberEvent> {
    const signal = checkSignal(opts?.signal)
    return eventIterator((l) => this.subscribe(l), signal)
  }

  // ---- names and services ----

  /**
   * Makes `ref`, an actor of this node, findable by `name` from every node (`lookup`) until it
   * stops or `unregister`. A name is meant to be unique in the cluster; for many actors behind
   * one name, use `serve`. Resolves once the cluster can find it.
   * **Throws**: `TypeError` for an empty name or a ref that is not of this node's actors; `Error`
   * if this node already holds the name or has left.
   */
  async register(name: string, ref: AnyActorRef): Promise<void> {
    checkName(name)
    if (cellOf(ref) === undefined) throw typeError('ref', 'the ref of an actor of this node', ref)
    this.#checkUp('register')
    if (!this.#directory.register(name, ref)) {
      throw new Error(`the name ${JSON.stringify(name)} is already registered on node ${this.id}`)
    }
    await this.#core.nc.flush()
  }

  /** Drops a name this node holds; false if it holds none by that name. */
  unregister(name: string): boolean {
    return this.#directory.unregister(name)
  }

  /**
   * The ref registered under `name` on any node, or undefined if no live actor holds it (known at
   * once: nothing answers).
   * **Throws**: `TypeError` for a bad name or option; rejects with `AskTimeoutError` if the node
   * holding the name does not answer within the timeout.
   */
  async lookup<M = unknown>(name: string, opts?: LookupOptions): Promise<ActorRef<M> | undefined> {
    checkName(name)
    const timeout =
      opts?.timeout === undefined ? this.#core.settings.askTimeoutMs : checkMs('timeout', opts.timeout)
    const local = this.#directory.local(name)
    if (local !== undefined) return local
    this.#checkUp('lookup')
    let answer: Msg
    try {
      answer = await this.#core.nc.request(this.#core.subjects.name(name), undefined, { timeout })
    } catch (err) {
      if ((err as { isNoResponders?: () => boolean }).isNoResponders?.() === true) return undefined
      if ((err as Error).name === 'TimeoutError')
        throw new AskTimeoutError(`name ${JSON.stringify(name)}`, 'lookup', timeout)
      throw err
    }
    return this.#core.decodeRef(JSON.parse(answer.string())) as ActorRef<M>
  }

  /**
   * Makes `ref`, an actor of this node, one instance of the cluster router `service`, until it
   * stops or `unserve`. Resolves once it gets messages.
   * **Throws**: `TypeError` for an empty name or a ref that is not of this node's actors.
   */
  async serve(service: string, ref: AnyActorRef): Promise<void> {
    checkName(service)
    if (cellOf(ref) === undefined) throw typeError('ref', 'the ref of an actor of this node', ref)
    this.#checkUp('serve')
    if (this.#directory.serve(service, ref)) await this.#core.nc.flush()
  }

  /** `ref` stops being an instance of `service`; false if it was not one. */
  unserve(service: string, ref: AnyActorRef): boolean {
    return this.#directory.unserve(service, ref)
  }

  /**
   * The cluster router of `service`: each message to one live instance, on any node; `broadcast`
   * to all. An ask with no instance anywhere fails at once (`no-responders`).
   */
  service<M = unknown>(service: string): ServiceRef<M> {
    checkName(service)
    return this.#core.service(service)
  }

  /**
   * A ref to whichever actor lives at `path` on node `node` (Akka's actor selection): messages
   * reach the actor there when they arrive, whichever incarnation it is.
   * **Throws**: `TypeError` for an empty node id or a path that does not start with `/`.
   */
  refAt<M = unknown>(node: string, path: string): ActorRef<M> {
    if (typeof node !== 'string' || node === '') throw typeError('node', 'a node id', node)
    if (typeof path !== 'string' || !path.startsWith('/'))
      throw typeError('path', 'an absolute actor path', path)
    if (node === this.id) {
      const local = this.system.lookup<M>(path)
      if (local !== undefined) return local
    }
    return this.#core._refs.remote(node, path, 0)
  }

  // ---- children on other nodes ----

  /**
   * Lets other nodes spawn `def` on this node under `name` (as children of their actors, see
   * `remoteChild`). `def` may be a function of the spawner's `args` returning the definition.
   * Every node that may host such children provides the same names.
   * **Throws**: `TypeError` for an empty name or a `def` that is neither.
   */
  provide(name: string, def: Provided): void {
    this.#core.provided.provide(name, def)
  }

  /**
   * The definition of a child that runs on another node: spawn it with `ctx.spawn`, and its parent
   * supervises it as if it were local. Its failure reaches the parent's strategy as a
   * `RemoteChildLost` whose `cause` is the child's error; so does the loss of its node, and a
   * restart spawns it again where `placement` (or `node`, or the default: the other up member
   * with the fewest children from here) says.
   * **Throws**: `TypeError` for an empty name or a bad option.
   * @example
   * node.provide('poller', Poller)                                   // on every hosting node
   * const poller = ctx.spawn(node.remoteChild<PollerMsg>('poller'), { name: 'poller' })
   */
  remoteChild<M>(name: string, opts?: RemoteChildOptions): Behavior<M> {
    return remoteChild<M>(this.#core, name, checkRemoteChild(name, opts))
  }

  // ---- leaving ----

  /**
   * Leaves the cluster gracefully: stops taking messages from the network, lets the frames already
   * received reach their actors (a turn in progress finishes as it would), tells the cluster (its
   * watchers get `node-left`), then closes the connection. Asks still waiting reject with
   * `NodeUnreachableError` (`disconnected`), tells held for other nodes go to dead letters, and
   * this node's watches of remote actors end with `Terminated` (`node-down`): it will hear
   * nothing more of them. The actor system keeps running on its own. Idempotent.
   *
   * **Details**: draining needs the server; if it has not finished within `timeoutMs` (default
   * 5000), as when no server is reachable, the connection is closed without it.
   * **Throws**: `TypeError`/`RangeError` at the call for a bad `timeoutMs`.
   */
  leave(opts?: { readonly timeoutMs?: number | undefined }): Promise<void> {
    const timeoutMs = checkMs('timeoutMs', checkOptions(opts)?.timeoutMs ?? 5000)
    this.#left ??= this.#leave(timeoutMs)
    return this.#left
  }

  async #leave(timeoutMs: number): Promise<void> {
    const core = this.#core
    if (core.nc.isClosed()) {
      core.closed()
      unobserve('cluster-node', this)
      return
    }
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs)
    })
    const drained = (async () => {
      core.state = 'leaving'
      core.membership.setSelf('leaving')
      await this.#directory.drain()
      // Drained, the server stops sending to this node, and what it already sent is handled.
      await core.nodeSub?.drain()
      core.membership.setSelf('left')
      core.membership.stop()
      await core.nc.drain()
    })()
    try {
      await Promise.race([drained, late])
    } catch {
      // The connection dropped while draining: it is closed below all the same.
    } finally {
      clearTimeout(timer)
    }
    drained.catch(() => undefined)
    if (!core.nc.isClosed()) await core.nc.close()
    core.closed()
    unobserve('cluster-node', this)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.leave()
  }

  #checkUp(what: string): void {
    const core = this.#core
    if (core.state !== 'up' || core.nc.isClosed()) {
      throw new Error(`cannot ${what}: node ${this.id} has left the cluster or lost its connection`)
    }
  }

  /** @internal The connection (tests). */
  get _nc(): NatsConnection {
    return this.#core.nc
  }

  /** @internal Asks waiting for an answer, watches and offers held (leak checks). */
  get _held(): { asks: number; watches: number; offers: number; held: number } {
    const core = this.#core
    return {
      asks: core.asks.size,
      watches: core.watches.size,
      offers: this.#directory.size,
      held: core.outbox.size,
    }
  }
}

function checkName(name: unknown): void {
  if (typeof name !== 'string' || name === '') throw typeError('name', 'a non-empty string', name)
}

/** A heartbeat or membership news; anything malformed is logged and ignored. */
function onBeat(core: NodeCore, msg: Msg): void {
  let beat: unknown
  try {
    beat = JSON.parse(msg.string())
  } catch {
    core.system._log('warn', `/cluster/${core.id}`, 'ignored a heartbeat that is not JSON')
    return
  }
  const b = beat as Partial<Beat> | null
  if (
    typeof b !== 'object' ||
    b === null ||
    b.v !== 1 ||
    typeof b.n !== 'string' ||
    !['up', 'leaving', 'left', 'hello'].includes(b.st as string)
  ) {
    core.system._log('warn', `/cluster/${core.id}`, `ignored a malformed heartbeat: ${describe(beat)}`)
    return
  }
  core.membership.onBeat(b as Beat)
  if (b.n !== core.id) core.heard(b.n, b.st === 'left')
}
