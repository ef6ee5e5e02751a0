/**
 * Routers: one ref in front of several actors (Akka routers).
 *
 * A router is an actor whose handler forwards each message to one routee (or all, for
 * `broadcast`), keeping the original sender, so an `ask` through a router is answered by the
 * routee. A pool router spawns its routees as children: it supervises them (its `supervisor`
 * option applies) and spawns a replacement when one stops for good.
 *
 * @module
 */
import { checkCount, checkOptions, describe, typeError } from '../errors.js'
import { type ActorRef, type AnyActorRef, cellOf, type SenderSlot, targetOf } from './actor-ref.js'
import { Behavior, behavior } from './behavior.js'
import { BUSY } from './cell-state.js'
import type { ActorContext } from './context.js'
import { mailboxSize, type Recipient } from './delivery.js'
import { makeMailbox, type MailboxOptions } from './mailbox.js'
import type { ActorDef } from './spawn-options.js'
import { checkRestartType, type RestartType } from './supervision.js'

/**
 * Routes by a key of the message: the same key always reaches the same routee, and a ring of
 * virtual nodes keeps most keys in place when the routees change (consistent hashing).
 * @since 0.1.0
 */
export class ConsistentHash<M> {
  /** @internal Use `consistentHash`. */
  constructor(
    readonly key: (msg: M) => string | number,
    readonly virtualNodes: number,
  ) {
    // Called only when a message is routed: a bad key would fail in the router, far from here.
    if (typeof key !== 'function') throw typeError('key', 'a function', key)
    checkCount('virtualNodes', virtualNodes, 1)
  }
}

/**
 * Consistent-hash routing on `key(msg)`.
 * @example
 * system.spawn(poolRouter(4, Shard, { routing: consistentHash((m: ShardMsg) => m.userId) }))
 * @since 0.1.0
 */
export function consistentHash<M>(
  key: (msg: M) => string | number,
  opts?: { virtualNodes?: number },
): ConsistentHash<M> {
  return new ConsistentHash(key, checkOptions(opts)?.virtualNodes ?? 64)
}

/**
 * How a router picks a routee: in turn, at random, the one with the fewest queued messages, by a
 * consistent hash of the message, or every routee (`broadcast`).
 * @since 0.1.0
 */
export type Routing<M> = 'roundRobin' | 'random' | 'smallestMailbox' | 'broadcast' | ConsistentHash<M>

/** Options of `poolRouter`. @since 0.1.0 */
export interface PoolRouterOptions<M> {
  /** Default `roundRobin`. */
  readonly routing?: Routing<M> | undefined
  /** The routees' mailbox. */
  readonly mailbox?: MailboxOptions<M> | undefined
  /** The routees' restart type (default `transient`; a routee that stops for good is replaced anyway). */
  readonly restart?: RestartType | undefined
}

/** Options of `groupRouter`. @since 0.1.0 */
export interface GroupRouterOptions<M> {
  /** Default `roundRobin`. */
  readonly routing?: Routing<M> | undefined
}

class RouteeGone {
  constructor(readonly ref: AnyActorRef) {}
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** Picks routees for messages; rebuilt when the routee list changes. */
class Picker<M> {
  #next = 0
  #ring: { hash: number; index: number }[] = []
  constructor(
    readonly routing: Routing<M>,
    public routees: AnyActorRef[],
  ) {
    this.rebuild()
  }

  rebuild(): void {
    const r = this.routing
    if (!(r instanceof ConsistentHash)) return
    const ring: { hash: number; index: number }[] = []
    this.routees.forEach((ref, index) => {
      for (let v = 0; v < r.virtualNodes; v++) ring.push({ hash: fnv1a(`${ref.path}#${String(v)}`), index })
    })
    ring.sort((a, b) => a.hash - b.hash)
    this.#ring = ring
  }

  pick(msg: M): AnyActorRef | undefined {
    const routees = this.routees
    const n = routees.length
    if (n === 0) return undefined
    const r = this.routing
    if (r === 'roundRobin') return routees[this.#next++ % n]
    if (r === 'random') return routees[Math.floor(Math.random() * n)]
    if (r === 'smallestMailbox') {
      let best = routees[0]
      let bestSize = Infinity
      for (const ref of routees) {
        const c = cellOf(ref)
        // Akka's order: idle and empty, then busy and empty, then the fewest queued messages.
        const size = c === undefined ? Infinity : mailboxSize(c) * 2 + ((c._flags & BUSY) !== 0 ? 1 : 0)
        if (size < bestSize) {
          best = ref
          bestSize = size
          if (size === 0) break
        }
      }
      return best
    }
    if (r instanceof ConsistentHash) {
      const h = fnv1a(String(r.key(msg)))
      const ring = this.#ring
      let lo = 0
      let hi = ring.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if ((ring[mid] as { hash: number }).hash < h) lo = mid + 1
        else hi = mid
      }
      return routees[(ring[lo === ring.length ? 0 : lo] as { index: number }).index]
    }
    return undefined
  }
}

function checkRouting<M>(routing: Routing<M> | undefined): Routing<M> {
  const r = routing ?? 'roundRobin'
  if (
    r instanceof ConsistentHash ||
    r === 'roundRobin' ||
    r === 'random' ||
    r === 'smallestMailbox' ||
    r === 'broadcast'
  ) {
    return r
  }
  throw new TypeError(
    `Expected \`routing\` to be roundRobin, random, smallestMailbox, broadcast or consistentHash(...), got ${describe(r)}`,
  )
}

/** Forwards with the original sender, so replies go to the asker. */
function forward(ctx: ActorContext<unknown>, ref: AnyActorRef, msg: unknown): void {
  // A remote routee too gets the sender, so it answers the asker; any other ref (an ask's
  // reply-to) gets a plain tell.
  const target: Recipient | undefined = targetOf(ref)
  if (target !== undefined) void target._tell(msg, ctx.sender as unknown as SenderSlot | undefined)
  else ref.tell(msg)
}

function route<M>(picker: Picker<M>, ctx: ActorContext<unknown>, msg: M): void {
  if (picker.routing === 'broadcast') {
    for (const ref of picker.routees) forward(ctx, ref, msg)
    return
  }
  const ref = picker.pick(msg)
  if (ref === undefined) ctx.system._deadLetter(msg, ctx.self.path, undefined, 'stopped')
  else forward(ctx, ref, msg)
}

/**
 * A router that spawns `size` routees of `def` as its children and routes every message to them.
 * @example
 * const workers = system.spawn(poolRouter(4, Worker, { routing: 'smallestMailbox' }), { name: 'workers' })
 * workers.tell({ type: 'job', n: 1 })
 * @since 0.1.0
 */
export function poolRouter<M>(size: number, def: ActorDef<M>, opts?: PoolRouterOptions<M>): Behavior<M> {
  checkCount('size', size, 1)
  if (!(def instanceof Behavior) && typeof def !== 'function') {
    throw typeError('def', 'an Actor subclass or a behavior(...)', def)
  }
  const routing = checkRouting(checkOptions(opts)?.routing)
  const childOpts = { mailbox: opts?.mailbox, restart: opts?.restart }
  // The routees are spawned when the router starts: their options are checked now, not there.
  makeMailbox(childOpts.mailbox)
  checkRestartType(childOpts.restart)
  return behavior<M>((ctx0) => {
    const ctx = ctx0 as unknown as ActorContext<unknown>
    const start = (): AnyActorRef => {
      const ref = ctx.spawn(def as ActorDef<unknown>, childOpts)
      ctx.watch(ref, new RouteeGone(ref))
      return ref
    }
    const picker = new Picker<M>(routing, Array.from({ length: size }, start))
    return (msg) => {
      if (msg instanceof RouteeGone) {
        const i = picker.routees.indexOf(msg.ref)
        if (i >= 0) {
          picker.routees[i] = start()
          picker.rebuild()
        }
        return
      }
      route(picker, ctx, msg)
    }
  })
}

/**
 * A router over existing actors; a routee that stops is dropped from the group.
 * @example
 * const any = system.spawn(groupRouter([a, b, c], { routing: 'random' }))
 * @since 0.1.0
 */
export function groupRouter<M>(routees: readonly ActorRef<M>[], opts?: GroupRouterOptions<M>): Behavior<M> {
  const list: unknown = routees
  if (!Array.isArray(list)) throw typeError('routees', 'an array of actor refs', list)
  list.forEach((ref: unknown, i) => {
    if (typeof (ref as Partial<AnyActorRef> | null)?.tell !== 'function') {
      throw typeError(`routees[${String(i)}]`, 'an actor ref', ref)
    }
  })
  const routing = checkRouting(checkOptions(opts)?.routing)
  return behavior<M>((ctx0) => {
    const ctx = ctx0 as unknown as ActorContext<unknown>
    const picker = new Picker<M>(routing, [...routees])
    for (const ref of routees) if (cellOf(ref) !== undefined) ctx.watch(ref, new RouteeGone(ref))
    return (msg) => {
      if (msg instanceof RouteeGone) {
        picker.routees = picker.routees.filter((r) => r !== msg.ref)
        picker.rebuild()
        return
      }
      route(picker, ctx, msg)
    }
  })
}
