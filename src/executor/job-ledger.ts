/**
 * Where an executor's jobs are and how they ended: the queue, the counts, and the two methods
 * every job ends through.
 *
 * A job ends twice, and the two are apart on purpose: `settle` gives it its outcome and counts it,
 * once; `leave` takes it out of the queue or a worker, once. A running job may be settled (timed
 * out, cancelled) while its worker still holds it, and only leaves when the worker answers or
 * dies. They live here, not in the executor, because the job side (submit, cancel, timers) and the
 * worker side (answers, deaths, the broken state, deadlock) both end jobs, and each must end them
 * the same way: the property test of random faults checks that these counts equal the futures'
 * states.
 *
 * @module
 */
import { RingBuffer } from '../queue/ring-buffer.js'
import { Histogram } from './histogram.js'
import { clearTimers } from './job-clocks.js'
import { GONE, type JobFuture, OUTBOX, QUEUED } from './job-future.js'
import type { WorkerSlot } from './worker-slot.js'

/** How a job ended. @internal */
export type Outcome = 'succeeded' | 'failed' | 'cancelled'

/** @internal */
export class JobLedger {
  /**
   * Jobs waiting for a worker, in order. A job withdrawn from it stays in the ring and is skipped
   * when reached (its `_place` is no longer `QUEUED`): removing it from the middle would be O(n).
   */
  readonly queue = new RingBuffer<JobFuture<unknown>>()
  /** Jobs in `queue` still `QUEUED`. */
  queued = 0
  /** Jobs given to a worker (in its outbox or sent) that have not left. */
  running = 0
  completed = 0
  failed = 0
  cancelled = 0
  /** Run times of the jobs that ran to an answer, µs. */
  readonly runTime = new Histogram()
  /** Time from submit to start of the jobs that succeeded, µs. */
  readonly waitTime = new Histogram()

  /** Puts a new job at the back of the queue. */
  push(job: JobFuture<unknown>): void {
    this.queue.push(job)
    this.queued++
  }

  /**
   * The one place a job gets its outcome: its future settles and exactly one counter counts it,
   * once. Where the job is, is `leave`'s business.
   */
  settle(job: JobFuture<unknown>, outcome: Outcome, value: unknown): void {
    if (job.done) return
    if (outcome === 'succeeded') this.completed++
    else if (outcome === 'failed') this.failed++
    else this.cancelled++
    job._settle(outcome, value)
  }

  /**
   * The one place a job leaves for good the queue, a worker's outbox or a worker: the counts of
   * where jobs are, its timers and its arguments go with it. The caller has taken it out of a
   * worker's lists; a queued job stays in the ring (see `queue`).
   */
  leave(job: JobFuture<unknown>): void {
    if (job._place === QUEUED) this.queued--
    else if (job._place !== GONE) this.running--
    job._place = GONE
    job._args = undefined
    clearTimers(job)
  }

  /** Takes a job not sent yet out of the queue or its worker's outbox; false if it was sent or is gone. */
  unqueue(job: JobFuture<unknown>): boolean {
    if (job._place === OUTBOX) {
      const outbox = (job._slot as WorkerSlot).outbox
      outbox.splice(outbox.indexOf(job), 1)
    } else if (job._place !== QUEUED) return false
    this.leave(job)
    return true
  }

  /** A job its worker took with it, to run again: back to the front of the queue. */
  requeue(job: JobFuture<unknown>): void {
    this.running--
    job._timer?.cancel()
    job._timer = undefined
    job._place = QUEUED
    job._headAt = 0
    job._slot = undefined
    this.queue.unshift(job)
    this.queued++
  }
}
