/**
 * The asks of this node waiting for their answers, by the number their reply subject ends in.
 *
 * Each ask publishes with a reply subject of this node's own (`<prefix>.reply.<node>.<id>`), so one
 * subscription takes every answer, an answer that comes after its ask gave up is seen and becomes
 * a dead letter (as a late local reply does), and the server's "no responders" status, sent to the
 * reply subject when nothing listens on the target's subject, reaches the right ask.
 *
 * A local ask's reply-to ref that travels inside a message to another node is registered here too,
 * so the answer that comes back over the network reaches it.
 *
 * @module
 */
import type { ReplySlot } from '../actor/actor-ref.js'

/** An ask of this node, waiting. @internal */
export interface PendingAsk {
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
  /** `node:path` of the target, for errors. */
  readonly target: string
  readonly node: string
  readonly path: string
  messageType: string
  timer: NodeJS.Timeout | undefined
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

/** A local reply-to ref that went out in a message. @internal */
export interface ExportedReply {
  readonly slot: ReplySlot & { tell(msg: unknown): void; readonly _pending: boolean; readonly path: string }
}

/** @internal */
export class PendingAsks {
  #next = 0
  readonly #entries = new Map<number, PendingAsk | ExportedReply>()
  /** Exported reply-tos are swept once their count doubles since the last sweep. */
  #exports = 0
  #sweepAt = 64

  /** Registers an ask; returns its id. */
  add(ask: PendingAsk): number {
    const id = ++this.#next
    this.#entries.set(id, ask)
    return id
  }

  /** Registers a local reply-to going out; returns its id. */
  export(slot: ExportedReply['slot']): number {
    if (++this.#exports >= this.#sweepAt) this.#sweep()
    const id = ++this.#next
    this.#entries.set(id, { slot })
    return id
  }

  /** Takes the entry of `id`: an ask is removed (it is answered once); an export stays while its ask waits. */
  take(id: number): PendingAsk | ExportedReply | undefined {
    const e = this.#entries.get(id)
    if (e !== undefined && !('slot' in e)) this.#entries.delete(id)
    return e
  }

  /** Removes an ask that gave up. */
  delete(id: number): void {
    this.#entries.delete(id)
  }

  /** Every ask still waiting, removed (the node is closing). */
  drain(): PendingAsk[] {
    const out: PendingAsk[] = []
    for (const e of this.#entries.values()) if (!('slot' in e)) out.push(e)
    this.#entries.clear()
    this.#exports = 0
    return out
  }

  /** Asks waiting for an answer. */
  get size(): number {
    let n = 0
    for (const e of this.#entries.values()) if (!('slot' in e)) n++
    return n
  }

  #sweep(): void {
    for (const [id, e] of this.#entries) if ('slot' in e && !e.slot._pending) this.#entries.delete(id)
    let live = 0
    for (const e of this.#entries.values()) if ('slot' in e) live++
    this.#exports = live
    this.#sweepAt = Math.max(64, live * 2)
  }
}
