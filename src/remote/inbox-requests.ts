/**
 * Many small requests over one subscription: each gets a reply subject under one inbox, and one
 * sweep a few times a second times out the ones left unanswered.
 *
 * The NATS client's `request()` (and JetStream's `publish()`, which is one) builds two error
 * objects with stack traces per call, for the day it may fail, and a timer of its own. At tens of
 * thousands of jobs a second that was the largest single cost on both sides of the distributed
 * executor; here a request costs a map entry, and an error is built only for a request that fails.
 *
 * @module
 */
import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node'
import { randomToken } from './cluster-options.js'

/** Why a request got no answer. @internal */
export type NoAnswer = 'no-responders' | 'timeout' | 'closed'

/** What a request's callback gets: the reply, or why there is none. @internal */
export type Answer = (reply: Msg | undefined, why?: NoAnswer) => void

interface Waiting {
  readonly answer: Answer
  readonly by: number
}

/** @internal */
export class InboxRequests {
  readonly #nc: NatsConnection
  readonly #inbox: string
  readonly #sub: Subscription
  readonly #waiting = new Map<number, Waiting>()
  readonly #timeoutMs: number
  readonly #sweep: NodeJS.Timeout
  #next = 0

  constructor(nc: NatsConnection, inboxPrefix: string, timeoutMs: number) {
    this.#nc = nc
    this.#inbox = `${inboxPrefix}.${randomToken(16)}`
    this.#timeoutMs = timeoutMs
    this.#sub = nc.subscribe(`${this.#inbox}.*`, {
      callback: (_err, msg) => {
        this.#onReply(msg)
      },
    })
    this.#sweep = setInterval(
      () => {
        this.#expire()
      },
      Math.max(50, Math.min(1000, timeoutMs / 4)),
    )
    this.#sweep.unref()
  }

  /** Requests waiting for their answer. */
  get size(): number {
    return this.#waiting.size
  }

  /** Publishes `data` to `subject` with a reply subject of its own; `answer` is called once. */
  send(subject: string, data: Uint8Array, answer: Answer, headers?: MsgHdrs): void {
    const n = ++this.#next
    try {
      this.#nc.publish(subject, data, {
        reply: `${this.#inbox}.${String(n)}`,
        ...(headers !== undefined && { headers }),
      })
    } catch {
      answer(undefined, 'closed')
      return
    }
    this.#waiting.set(n, { answer, by: performance.now() + this.#timeoutMs })
  }

  #onReply(msg: Msg): void {
    const n = Number(msg.subject.slice(this.#inbox.length + 1))
    const w = this.#waiting.get(n)
    if (w === undefined) return
    this.#waiting.delete(n)
    // A status with no body: 503 when nobody listens on the subject.
    if (msg.data.length === 0 && msg.headers?.code === 503) w.answer(undefined, 'no-responders')
    else w.answer(msg)
  }

  #expire(): void {
    const now = performance.now()
    // In the order they were sent, so the first one not due ends the sweep.
    for (const [n, w] of this.#waiting) {
      if (w.by > now) return
      this.#waiting.delete(n)
      w.answer(undefined, 'timeout')
    }
  }

  /** Stops listening; what still waits is answered `closed`. */
  close(): void {
    clearInterval(this.#sweep)
    this.#sub.unsubscribe()
    const left = [...this.#waiting.values()]
    this.#waiting.clear()
    for (const w of left) w.answer(undefined, 'closed')
  }
}
