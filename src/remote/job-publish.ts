/**
 * Putting a job into the stream, and what a submitter keeps for each job until it ends.
 *
 * A job is published as a request on the submitter's own inbox (inbox-requests.ts), and the
 * stream's answer gives its sequence, which a cancel needs to delete it. An answer that does not
 * come (the server is away) has the job sent again under the same `Nats-Msg-Id`, which the stream
 * keeps once, until it comes or half the dedup window has passed.
 *
 * @module
 */
import { headers } from '@nats-io/transport-node'
import { describe } from '../errors.js'
import type { JobFuture } from '../executor/job-future.js'
import type { InboxRequests } from './inbox-requests.js'

/** A submitted job, from `submit` to its end. @internal */
export interface PendingJob {
  readonly job: JobFuture<unknown>
  readonly id: string
  readonly name: string
  /** `performance.now()` at submit. */
  readonly at: number
  /** Its sequence in the stream, once the server has it (undefined if it refused it). */
  seq: number | undefined
  /** The server answered its publish (or it failed for good). */
  acked: boolean
  /** Waiting for that answer (a cancel before it came). */
  whenAcked: (() => void)[] | undefined
  /** A worker said it started it (sent only for a job with a queue timeout). */
  started: boolean
  /** Failed attempts reported. */
  retries: number
  /** Its queue timeout. */
  timer: NodeJS.Timeout | undefined
}

/** What a publish needs to know of its submitter. @internal */
export interface PublishContext {
  readonly requests: InboxRequests
  /** The subject jobs are published on. */
  readonly subject: string
  readonly dedupWindowMs: number
  /** Whether `p` is still waiting for its end (not cancelled or timed out meanwhile). */
  live(p: PendingJob): boolean
  /** The stream already had this id: its end is `p`'s too. */
  duplicate(p: PendingJob): void
  /** The job could not be put into the stream. */
  failed(p: PendingJob, error: Error): void
}

/** The stream's answer to a publish. */
interface PubAck {
  readonly seq?: number
  readonly duplicate?: boolean
  readonly error?: { readonly description?: string }
}

/** Publishes `p`'s bytes and reads the stream's answer (see the module comment). @internal */
export function publishJob(
  c: PublishContext,
  p: PendingJob,
  bytes: Uint8Array,
  msgID: string,
  since = performance.now(),
): void {
  const h = headers()
  h.set('Nats-Msg-Id', msgID)
  c.requests.send(
    c.subject,
    bytes,
    (reply, why) => {
      // Settled meanwhile (cancelled, timed out): the answer still gives its sequence.
      const live = c.live(p)
      let failure: Error
      if (reply !== undefined) {
        let ack: PubAck
        try {
          ack = reply.json<PubAck>()
        } catch (err) {
          ack = { error: { description: describe(err) } }
        }
        if (ack.error === undefined) {
          markStored(p, ack.seq)
          if (live && ack.duplicate === true) c.duplicate(p)
          return
        }
        failure = new Error(`the server refused the job: ${ack.error.description ?? 'no reason given'}`)
      } else if (live && why === 'timeout' && performance.now() - since < c.dedupWindowMs / 2) {
        publishJob(c, p, bytes, msgID, since)
        return
      } else {
        failure = new Error(
          why === 'no-responders'
            ? `no stream takes ${c.subject}`
            : `the server did not acknowledge the job (${why ?? 'no answer'})`,
        )
      }
      markStored(p, undefined)
      if (live) c.failed(p, failure)
    },
    h,
  )
}

/** The server answered `p`'s publish: `seq`, or undefined if it failed for good. @internal */
export function markStored(p: PendingJob, seq: number | undefined): void {
  p.seq = seq
  p.acked = true
  const waiting = p.whenAcked
  p.whenAcked = undefined
  if (waiting !== undefined) for (const f of waiting) f()
}

/** `p`'s sequence in the stream, once the server has answered its publish. @internal */
export function storedAt(p: PendingJob): Promise<number | undefined> {
  if (p.acked) return Promise.resolve(p.seq)
  return new Promise((resolve) => {
    ;(p.whenAcked ??= []).push(() => {
      resolve(p.seq)
    })
  })
}
