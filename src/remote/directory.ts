/**
 * What this node offers the cluster by name: registered names (one actor each, found with
 * `lookup`) and service instances (many actors across nodes share one name, a NATS queue group).
 *
 * The registry is NATS interest itself: a name is a subscription on its subject, so the cluster
 * needs no store of its own, a name held by a node that dies is gone with its connection, and a
 * lookup of a name nobody holds ends at once with the server's "no responders". Each entry watches
 * its actor through the same `Watcher` seam death watch uses, and goes when the actor stops.
 *
 * @module
 */
import type { Subscription } from '@nats-io/transport-node'
import type { AnyActorRef } from '../actor/actor-ref.js'
import { cellOf } from '../actor/actor-ref.js'
import type { ActorCell } from '../actor/cell.js'
import type { Watcher } from '../actor/watch.js'
import type { NodeCore } from './core.js'
import { onServiceFrame } from './inbound.js'

interface Entry extends Watcher {
  readonly cell: ActorCell
  readonly subs: Subscription[]
}

/** @internal */
export class Directory {
  readonly #core: NodeCore
  readonly #names = new Map<string, Entry>()
  /** Service name, then the entry of each local actor serving it. */
  readonly #services = new Map<string, Map<ActorCell, Entry>>()

  constructor(core: NodeCore) {
    this.#core = core
  }

  /** Holds `name` for `ref` (a local actor); false if this node holds it already. */
  register(name: string, ref: AnyActorRef): boolean {
    if (this.#names.has(name)) return false
    const core = this.#core
    const cell = cellOf(ref) as ActorCell
    const sub = core.nc.subscribe(core.subjects.name(name), {
      callback: (_err, msg) => {
        msg.respond(JSON.stringify(core.encodeRef(ref)))
      },
    })
    const entry: Entry = {
      cell,
      subs: [sub],
      _terminated: () => {
        this.unregister(name)
      },
    }
    this.#names.set(name, entry)
    cell._addWatcher(entry)
    return true
  }

  /** Drops `name`; false if this node did not hold it. */
  unregister(name: string): boolean {
    const entry = this.#names.get(name)
    if (entry === undefined) return false
    this.#names.delete(name)
    this.#drop(entry)
    return true
  }

  /** The local actor holding `name`, if this node holds it. */
  local(name: string): AnyActorRef | undefined {
    return this.#names.get(name)?.cell.self
  }

  /** Makes `ref` (a local actor) an instance of `service`; false if it is one already. */
  serve(service: string, ref: AnyActorRef): boolean {
    const core = this.#core
    const cell = cellOf(ref) as ActorCell
    let instances = this.#services.get(service)
    if (instances?.has(cell) === true) return false
    const callback = (_err: unknown, msg: Parameters<typeof onServiceFrame>[1]): void => {
      onServiceFrame(core, msg, ref)
    }
    const subs = [
      // The queue group's name is the same on every node: one instance of all gets each message.
      core.nc.subscribe(core.subjects.service(service), { queue: 'instances', callback }),
      core.nc.subscribe(core.subjects.serviceAll(service), { callback }),
    ]
    const entry: Entry = {
      cell,
      subs,
      _terminated: () => {
        this.unserve(service, ref)
      },
    }
    if (instances === undefined) {
      instances = new Map()
      this.#services.set(service, instances)
    }
    instances.set(cell, entry)
    cell._addWatcher(entry)
    return true
  }

  /** `ref` is no longer an instance of `service`; false if it was not one. */
  unserve(service: string, ref: AnyActorRef): boolean {
    const instances = this.#services.get(service)
    const cell = cellOf(ref)
    const entry = cell === undefined ? undefined : instances?.get(cell)
    if (instances === undefined || entry === undefined) return false
    instances.delete(entry.cell)
    if (instances.size === 0) this.#services.delete(service)
    this.#drop(entry)
    return true
  }

  /**
   * Stops offering anything (the node leaves): names go at once, service instances drain, so a
   * message the server already sent one still reaches it.
   */
  async drain(): Promise<void> {
    for (const e of this.#names.values()) this.#drop(e)
    this.#names.clear()
    const draining: Promise<void>[] = []
    for (const instances of this.#services.values()) {
      for (const e of instances.values()) {
        e.cell._removeWatcher(e)
        if (!this.#core.nc.isClosed()) for (const s of e.subs) draining.push(s.drain())
      }
    }
    this.#services.clear()
    await Promise.allSettled(draining)
  }

  #drop(entry: Entry): void {
    entry.cell._removeWatcher(entry)
    if (this.#core.nc.isClosed()) return
    for (const s of entry.subs) s.unsubscribe()
  }

  /** Names and service instances held (leak checks). */
  get size(): number {
    let n = this.#names.size
    for (const instances of this.#services.values()) n += instances.size
    return n
  }
}
