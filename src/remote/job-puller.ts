/**
 * The pulls of a job server: exactly as many jobs as it has free lanes, never more, with the
 * consumer's heartbeats watched so a pull lost in a server restart is noticed and sent again.
 *
 * The NATS client's own `consume()` keeps a buffer of its own beside what is being run (up to
 * twice the lanes held by one process), and its `next()` opens a subscription per job. Here one
 * subscription serves every pull: each pull request has a reply subject of its own under it, so a
 * status that ends a request (expired, or refused) says which one, and how many jobs it still
 * owed is known. When lanes free up in one turn of the event loop, one pull asks for all of them.
 *
 * @module
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node'
import { randomToken } from './cluster-options.js'

/** One job as the consumer delivered it: its bytes and what its ack subject tells. @internal */
export interface Delivery {
  readonly data: Uint8Array
  /** Where acks, naks and lease renewals for it go. */
  readonly ackSubject: string
  /** 1 the first time, then one more for each redelivery (a nak or a lost lease). */
  readonly deliveryCount: number
  /** Its sequence in the stream. */
  readonly seq: number
  /** Jobs left in the stream behind it, as the server counted when it sent this one. */
  readonly pending: number
}

/** How long a pull request waits on the server for jobs before it expires and is sent again. */
const EXPIRES_MS = 30_000
const NS = 1_000_000

/** Pulls for one job server. @internal */
export class JobPuller {
  readonly #nc: NatsConnection
  readonly #api: string
  readonly #inbox: string
  readonly #sub: Subscription
  readonly #onDelivery: (d: Delivery) => void
  readonly #onStall: () => void
  readonly #heartbeatMs: number
  /** Jobs each pull request still owes, by its token. */
  readonly #owed = new Map<string, number>()
  #outstanding = 0
  #serial = 0
  /** What the server wants next: the lanes free and not asked for yet. */
  #free: () => number
  #lastHeard = performance.now()
  #scheduled = false
  #stopped = false
  readonly #watch: NodeJS.Timeout

  constructor(
    nc: NatsConnection,
    inboxPrefix: string,
    stream: string,
    consumer: string,
    free: () => number,
    onDelivery: (d: Delivery) => void,
    onStall: () => void,
    heartbeatMs = 1000,
  ) {
    this.#nc = nc
    this.#api = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`
    this.#inbox = `${inboxPrefix}.${randomToken(16)}`
    this.#free = free
    this.#onDelivery = onDelivery
    this.#onStall = onStall
    this.#heartbeatMs = heartbeatMs
    this.#sub = nc.subscribe(`${this.#inbox}.*`, {
      callback: (_err, msg) => {
        this.#onMessage(msg)
      },
    })
    // Pulls live on the server: after a restart (or a lost connection) they are gone, and nothing
    // says so but the silence of their heartbeats.
    this.#watch = setInterval(() => {
      this.#checkHeartbeats()
    }, heartbeatMs)
    this.#watch.unref()
  }

  /** Jobs asked for and not delivered yet. */
  get outstanding(): number {
    return this.#outstanding
  }

  /** Asks for jobs for the lanes that are free, once per turn of the event loop. */
  topUp(): void {
    if (this.#scheduled || this.#stopped) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#pull()
    })
  }

  #pull(): void {
    if (this.#stopped) return
    const batch = this.#free() - this.#outstanding
    if (batch <= 0) return
    const token = String(++this.#serial)
    this.#owed.set(token, batch)
    this.#outstanding += batch
    if (this.#owed.size === 1) this.#lastHeard = performance.now()
    const request = {
      batch,
      expires: EXPIRES_MS * NS,
      idle_heartbeat: this.#heartbeatMs * NS,
    }
    try {
      this.#nc.publish(this.#api, JSON.stringify(request), { reply: `${this.#inbox}.${token}` })
    } catch {
      // Closed or reconnecting: the heartbeat watch sends it again.
    }
  }

  #onMessage(msg: Msg): void {
    this.#lastHeard = performance.now()
    const reply = msg.reply
    if (reply !== undefined && reply.startsWith('$JS.ACK.')) {
      // A job comes with its own subject, not the request's: the server serves the waiting
      // requests in the order they came, so it is counted against the oldest.
      this.#settleOldest()
      const d = delivery(msg.data, reply)
      if (d !== undefined) this.#onDelivery(d)
      return
    }
    const code = msg.headers?.code ?? 0
    // 100: a heartbeat, the request is alive. Anything else (404/408: expired; 409: refused, the
    // consumer deleted or changed) ends the request: what it still owed is asked for again.
    if (code === 100) return
    this.#endRequest(msg.subject.slice(this.#inbox.length + 1))
    if (code === 409) {
      // Refused (the consumer may be gone): ask again after a pause, not in a tight loop.
      this.#onStall()
      setTimeout(() => {
        this.topUp()
      }, this.#heartbeatMs).unref()
      return
    }
    this.topUp()
  }

  #settleOldest(): void {
    for (const [token, owed] of this.#owed) {
      this.#outstanding--
      if (owed <= 1) this.#owed.delete(token)
      else this.#owed.set(token, owed - 1)
      return
    }
  }

  #endRequest(token: string): void {
    const owed = this.#owed.get(token)
    if (owed === undefined) return
    this.#owed.delete(token)
    this.#outstanding -= owed
  }

  #checkHeartbeats(): void {
    if (this.#owed.size === 0) {
      // Nothing asked for; a full server might have left lanes unasked after a refusal.
      this.topUp()
      return
    }
    if (performance.now() - this.#lastHeard < this.#heartbeatMs * 3) return
    // Two heartbeats missed: the requests are gone from the server. Forget them and ask anew; a
    // job one of them still brings is run all the same.
    this.forget()
    this.#onStall()
    this.topUp()
  }

  /** Drops every pull request (after a reconnect: the server has lost them). */
  forget(): void {
    this.#owed.clear()
    this.#outstanding = 0
    this.#lastHeard = performance.now()
  }

  /** Stops asking; deliveries still on their way are passed on. */
  stop(): void {
    this.#stopped = true
    clearInterval(this.#watch)
  }

  /** Stops listening too. */
  close(): void {
    this.stop()
    this.#sub.unsubscribe()
  }
}

/**
 * Reads an ack subject: `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>`,
 * or the newer form with a domain and an account hash after `ACK` and a token at the end.
 */
function delivery(data: Uint8Array, ackSubject: string): Delivery | undefined {
  const t = ackSubject.split('.')
  const at = t.length === 9 ? 4 : t.length >= 11 ? 6 : -1
  if (at < 0) return undefined
  return {
    data,
    ackSubject,
    deliveryCount: Number(t[at]),
    seq: Number(t[at + 1]),
    pending: Number(t[at + 4]),
  }
}
