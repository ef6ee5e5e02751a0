/**
 * The inside of a cluster node: its connection, codec, refs, asks, membership and watches, and
 * the seams the rest of the remote layer talks to (`Link` for refs, `MembershipHost`,
 * `WatchHost`). `ClusterNode` is the public face over it; sending and receiving frames live in
 * outbound.ts and inbound.ts.
 *
 * @module
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import { describe } from '../errors.js'
import { type AnyActorRef, type AskOptions, cellOf, type SenderSlot } from '../actor/actor-ref.js'
import { ActorRefImpl } from '../actor/actor-ref.js'
import { AskRef } from '../actor/ask.js'
import type { ActorCell } from '../actor/cell.js'
import { DEAD } from '../actor/cell-state.js'
import type { DeadLetterReason } from '../actor/dead-letters.js'
import type { ActorSystem } from '../actor/system.js'
import type { ClusterSettings } from './cluster-options.js'
import type { Codec, RefCodec } from './codec.js'
import { decodeBody, encodeFrame, type Frame, type Head, isRefWire, NO_BODY, readFrame } from './envelope.js'
import { type Beat, type MemberEvent, Membership, type MembershipHost } from './membership.js'
import { broadcast, endAsk, remoteAsk, remoteTell, reply } from './outbound.js'
import { Outbox } from './outbox.js'
import { PendingAsks } from './pending-asks.js'
import { ProvidedDefs, spawnOn, stopRemote } from './provided.js'
import { RefTable } from './ref-table.js'
import { type Link, RemoteActorRef, ReplyRef, ServiceRef } from './remote-ref.js'
import { RemoteWatches, type WatchHost } from './remote-watch.js'
import { NodeUnreachableError } from '../errors.js'
import { type Subjects, subjectsOf } from './subjects.js'

/** @internal */
export class NodeCore implements Link, MembershipHost, WatchHost {
  readonly id: string
  readonly system: ActorSystem
  readonly nc: NatsConnection
  readonly settings: ClusterSettings
  readonly codec: Codec
  readonly subjects: Subjects
  readonly _refs: RefTable
  readonly asks = new PendingAsks()
  readonly membership: Membership
  readonly watches: RemoteWatches
  readonly listeners = new Set<(e: MemberEvent) => void>()
  readonly maxPayload: number
  /** Where the ask id starts in a reply subject. */
  readonly replyPrefixLength: number
  readonly refCodec: RefCodec
  /** Heads of an answer and of a failed ask, the same for every one. */
  readonly replyHead: string
  readonly errorHead: string
  readonly outbox: Outbox
  /** Definitions other nodes may spawn here. */
  readonly provided: ProvidedDefs
  /** Live remote children spawned from here, per node: the default placement evens them out. */
  readonly childCounts = new Map<string, number>()
  state: 'up' | 'leaving' | 'left' = 'up'
  /** The subscription to this node's own subject. */
  nodeSub: Subscription | undefined
  readonly #services = new Map<string, ServiceRef<unknown>>()

  constructor(system: ActorSystem, nc: NatsConnection, settings: ClusterSettings) {
    this.id = settings.nodeId
    this.system = system
    this.nc = nc
    this.settings = settings
    this.codec = settings.codec
    this.subjects = subjectsOf(system.name)
    this._refs = new RefTable(this)
    this.maxPayload = nc.info?.max_payload ?? 1024 * 1024
    this.replyPrefixLength = this.subjects.replies(this.id).length - 1
    this.membership = new Membership(this.id, this, settings.heartbeatMs, settings.failureWindowMs)
    this.watches = new RemoteWatches(this)
    this.refCodec = {
      encodeRef: (value) => this.encodeRef(value),
      decodeRef: (wire) => this.decodeRef(wire),
    }
    this.replyHead = JSON.stringify({ v: 1, k: 'r', c: this.codec.id })
    this.errorHead = JSON.stringify({ v: 1, k: 'e', c: this.codec.id })
    this.provided = new ProvidedDefs(this)
    this.outbox = new Outbox(
      {
        publish: (subject, bytes) => {
          try {
            nc.publish(subject, bytes)
          } catch {
            // Closed meanwhile: `closed()` dead-letters what is still held; this one is gone with it.
          }
        },
        deadLetter: (msg, recipient, sender) => {
          this.deadLetter(msg, recipient, sender, 'unreachable')
        },
      },
      settings.failureWindowMs,
    )
  }

  /** Follows the connection's status: tells are held from a disconnect until their node is heard. */
  async followStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') this.outbox.disconnected()
      else if (s.type === 'reconnect') this.outbox.reconnected()
    }
  }

  /** Spawns the definition `name` on node `node` (this one included); resolves with its ref. */
  spawnOn(node: string, name: string, args: unknown, timeout: number): Promise<AnyActorRef> {
    return spawnOn(this, node, name, args, timeout)
  }

  /** Stops a child spawned from here, on whichever node it runs. */
  stopRemote(ref: AnyActorRef): void {
    if (ref instanceof RemoteActorRef) stopRemote(this, ref)
    else void cellOf(ref)?._stop()
  }

  /** A heartbeat came from `node`: it listens. */
  heard(node: string, left: boolean): void {
    if (left) this.outbox.nodeGone(node)
    else this.outbox.heard(node)
  }

  // ---- frames ----

  /** A frame of `head` (or its JSON, kept from the last frame) and the body of `value` (`NO_BODY`: none). */
  encode(head: Head | string, value: unknown): Uint8Array {
    return encodeFrame(
      typeof head === 'string' ? head : JSON.stringify(head),
      value,
      this.codec,
      this.refCodec,
    )
  }

  /** Reads a frame; throws an `Error` naming what is wrong with it. */
  read(bytes: Uint8Array): Frame {
    return readFrame(bytes, this.codec)
  }

  /** A frame's body decoded; throws a `CodecError` for one the codec refuses. */
  decode(body: Uint8Array | string): unknown {
    return decodeBody(this.codec, body, this.refCodec)
  }

  // ---- Link: what remote refs do ----

  _tell(ref: RemoteActorRef<unknown>, msg: unknown, sender: SenderSlot | undefined): void {
    remoteTell(this, ref, msg, sender)
  }

  _ask(
    ref: RemoteActorRef<unknown>,
    factory: (replyTo: AnyActorRef) => unknown,
    opts: AskOptions | undefined,
  ): Promise<unknown> {
    return remoteAsk(this, ref, factory, opts)
  }

  _reply(ref: ReplyRef, msg: unknown, error: unknown): void {
    reply(this, ref, msg, error)
  }

  _broadcast(ref: ServiceRef<unknown>, msg: unknown, sender: SenderSlot | undefined): void {
    broadcast(this, ref, msg, sender)
  }

  _watch(ref: RemoteActorRef<unknown>, watcher: ActorCell): void {
    if (ref instanceof ServiceRef)
      throw new TypeError(`${String(ref)} is a service, not one actor: it cannot be watched`)
    this.watches.watch(ref, watcher)
  }

  _unwatch(ref: RemoteActorRef<unknown>, watcher: ActorCell): void {
    this.watches.unwatch(ref, watcher)
  }

  _stop(ref: RemoteActorRef<unknown>): Promise<void> {
    return Promise.reject(
      new TypeError(`${String(ref)} is an actor of another node; only its own node can stop it`),
    )
  }

  // ---- WatchHost ----

  /** Publishes a control frame to node `node`; false if it could not. */
  _publish(node: string, head: Head, body?: unknown): boolean {
    if (this.nc.isClosed()) return false
    try {
      const bytes = this.encode(head, body === undefined ? NO_BODY : body)
      this.nc.publish(this.subjects.node(node), bytes)
      return true
    } catch {
      return false
    }
  }

  _nodeStatus(node: string): string | undefined {
    return this.membership.status(node)
  }

  // ---- MembershipHost ----

  publishBeat(beat: Beat): void {
    if (this.nc.isClosed()) return
    this.nc.publish(this.subjects.members, JSON.stringify(beat))
  }

  onEvent(event: MemberEvent): void {
    if (event.type === 'down') {
      this.outbox.nodeGone(event.node)
      this.watches.nodeDown(event.node, event.reason === 'left' ? 'node-left' : 'node-down')
    }
    for (const l of this.listeners) {
      try {
        l(event)
      } catch (err) {
        this.system._log('error', `/cluster/${this.id}`, 'a membership listener threw', err)
      }
    }
  }

  // ---- refs on the wire ----

  /** The one ref object of a service. */
  service(name: string): ServiceRef<unknown> {
    let ref = this.#services.get(name)
    if (ref === undefined) {
      ref = new ServiceRef(this, name)
      this.#services.set(name, ref)
    }
    return ref
  }

  /** The wire form of a ref (undefined for anything else): the RefCodec's encode. */
  encodeRef(value: object): unknown {
    if (value instanceof ActorRefImpl) {
      return { n: this.id, p: (value as AnyActorRef).path, u: this._refs.uidOf(value as AnyActorRef) }
    }
    if (value instanceof RemoteActorRef) return value._wire()
    if (value instanceof ReplyRef) return { r: value.subject }
    if (value instanceof AskRef) {
      const id = this.asks.export(value as AskRef<unknown> & { tell(msg: unknown): void })
      return { r: this.subjects.reply(this.id, id) }
    }
    return undefined
  }

  /** A working ref from its wire form: the RefCodec's decode. */
  decodeRef(wire: unknown): object {
    if (isRefWire(wire)) {
      if (wire.n === this.id) {
        const local = this.system.lookup(wire.p)
        if (local !== undefined && this._refs.matches(local, wire.u)) return local
      }
      return this._refs.remote(wire.n, wire.p, wire.u)
    }
    const w = wire as { r?: unknown; svc?: unknown } | null
    if (typeof w?.svc === 'string') return this.service(w.svc)
    if (typeof w?.r === 'string' && w.r.startsWith(`${this.subjects.prefix}.reply.`))
      return new ReplyRef(this, w.r)
    throw new TypeError(`not an actor ref's wire form: ${describe(wire)}`)
  }

  /** Paths frames came for, resolved: most frames go to actors that got some before. */
  readonly #paths = new Map<string, AnyActorRef>()

  /** The live local actor at `path`, if any. */
  resolve(path: string): AnyActorRef | undefined {
    const known = this.#paths.get(path)
    if (known !== undefined) {
      if (((cellOf(known) as ActorCell)._flags & DEAD) === 0) return known
      this.#paths.delete(path)
    }
    const ref = this.system.lookup(path)
    if (ref !== undefined) {
      // A bound, not an eviction policy: a node talked to at more paths than this looks them up.
      if (this.#paths.size >= 10_000) this.#paths.clear()
      this.#paths.set(path, ref)
    }
    return ref
  }

  // ---- state ----

  /** Why a frame to `ref` cannot go, or undefined if it may. */
  unreachable(ref: RemoteActorRef<unknown>): 'down' | 'disconnected' | undefined {
    if (this.nc.isClosed() || this.state === 'left') return 'disconnected'
    if (ref instanceof ServiceRef) return undefined
    return this.membership.status(ref.node) === 'down' ? 'down' : undefined
  }

  /** The subject frames for `ref` go to. */
  subjectOf(ref: RemoteActorRef<unknown>): string {
    return ref instanceof ServiceRef ? this.subjects.service(ref.service) : this.subjects.node(ref.node)
  }

  deadLetter(
    msg: unknown,
    recipient: string,
    sender: SenderSlot | undefined,
    reason: DeadLetterReason,
  ): void {
    this.system._deadLetter(msg, recipient, sender, reason)
  }

  /** The connection is gone: every ask still waiting ends, and nothing is left running. */
  closed(): void {
    this.state = 'left'
    this.membership.stop()
    this.outbox.close()
    this.watches.close()
    for (const entry of this.asks.drain()) {
      endAsk(entry)
      entry.reject(new NodeUnreachableError(entry.node, entry.path, entry.messageType, 'disconnected'))
    }
  }
}
