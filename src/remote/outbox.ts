/**
 * Tells held while the connection is down, and until their node is heard from again.
 *
 * The NATS client buffers what is published while it reconnects and sends it once it is back; but
 * the receiving node may not have resubscribed by then, and what the server gets for a subject
 * nobody listens on is gone without a trace. So the node holds a tell for node N from the moment
 * the connection drops until a heartbeat of N arrives after the reconnect, which shows N listening
 * again; then it sends the held tells in order. A node not heard from within the failure window
 * gets its held tells as dead letters (`unreachable`), so none is lost from the books.
 *
 * Tells a node handed to its socket before the connection dropped are beyond its knowledge: the
 * server may not have read them. That is the at-most-once of `tell`.
 *
 * @module
 */
import type { SenderSlot } from '../actor/actor-ref.js'

/** One held tell. @internal */
export interface HeldTell {
  readonly subject: string
  readonly bytes: Uint8Array
  readonly msg: unknown
  readonly recipient: string
  readonly sender: SenderSlot | undefined
}

/** What the outbox needs of the node. @internal */
export interface OutboxHost {
  publish(subject: string, bytes: Uint8Array): void
  deadLetter(msg: unknown, recipient: string, sender: SenderSlot | undefined): void
}

/** Held tells at most per node; a tell beyond is a dead letter at once. */
const MAX_HELD = 100_000

/** @internal */
export class Outbox {
  readonly #host: OutboxHost
  readonly #windowMs: number
  /** Null while no reconnect has happened since the last confirmation of everyone. */
  #heard: Set<string> | null = null
  #connected = true
  readonly #held = new Map<string, { tells: HeldTell[]; timer: NodeJS.Timeout }>()

  constructor(host: OutboxHost, windowMs: number) {
    this.#host = host
    this.#windowMs = windowMs
  }

  /** False between a disconnect and the reconnect. */
  get connected(): boolean {
    return this.#connected
  }

  /** True if a tell to `node` must be held now. */
  holds(node: string): boolean {
    return !this.#connected || (this.#heard !== null && !this.#heard.has(node))
  }

  /** Holds a tell for `node`. */
  hold(node: string, tell: HeldTell): void {
    let h = this.#held.get(node)
    if (h === undefined) {
      const timer = setTimeout(() => {
        this.#expire(node)
      }, this.#windowMs)
      h = { tells: [], timer }
      this.#held.set(node, h)
    }
    if (h.tells.length >= MAX_HELD) {
      this.#host.deadLetter(tell.msg, tell.recipient, tell.sender)
      return
    }
    h.tells.push(tell)
  }

  /** The connection dropped: every node must be heard again before tells go to it. */
  disconnected(): void {
    this.#connected = false
    this.#heard = new Set()
  }

  /** The connection is back; tells still wait for their node's next heartbeat. */
  reconnected(): void {
    this.#connected = true
  }

  /** A heartbeat of `node` arrived: it listens, so what is held for it goes now. */
  heard(node: string): void {
    if (!this.#connected) return
    this.#heard?.add(node)
    const h = this.#held.get(node)
    if (h === undefined) return
    this.#held.delete(node)
    clearTimeout(h.timer)
    for (const t of h.tells) this.#host.publish(t.subject, t.bytes)
  }

  /** Node `node` is down or left: what is held for it is a dead letter. */
  nodeGone(node: string): void {
    this.#expire(node)
  }

  /** The connection is closed for good: everything held is a dead letter. */
  close(): void {
    for (const node of [...this.#held.keys()]) this.#expire(node)
  }

  #expire(node: string): void {
    const h = this.#held.get(node)
    if (h === undefined) return
    this.#held.delete(node)
    clearTimeout(h.timer)
    for (const t of h.tells) this.#host.deadLetter(t.msg, t.recipient, t.sender)
  }

  /** Tells held, for every node (leak checks). */
  get size(): number {
    let n = 0
    for (const h of this.#held.values()) n += h.tells.length
    return n
  }
}
