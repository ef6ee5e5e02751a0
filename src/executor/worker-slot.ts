/**
 * The executor's record of one worker: what it was sent, in order, and how busy it is.
 *
 * @module
 */
import { RingBuffer } from '../queue/ring-buffer.js'
import type { Timer } from '../platform/clock.js'
import type { JobFuture } from './job-future.js'
import type { WorkerHandle } from './worker-handle.js'

/** @internal */
export type SlotState = 'starting' | 'ready' | 'retiring' | 'closing' | 'dead'

/** @internal */
export class WorkerSlot {
  readonly id: number
  handle!: WorkerHandle
  state: SlotState = 'starting'
  /** Sent and not yet answered, in the order the worker runs them. */
  readonly inflight = new RingBuffer<JobFuture<unknown>>()
  /** Given to this worker, to be sent at the end of the turn. */
  outbox: JobFuture<unknown>[] = []
  /** Function indexes this worker has been told about. */
  readonly known: boolean[] = []
  /** Jobs given to it, for `maxTasksPerWorker`. */
  given = 0
  completed = 0
  busyMicros = 0
  readonly startedAt = performance.now()
  /**
   * Smoothed answer delay of jobs it was sent alone, in µs: the round trip less the run time, so
   * what it measures is how fast this thread wakes up and answers, not the work. 0: not measured.
   */
  answerMicros = 0
  /** Picked after another worker: its next lone answer replaces the old, possibly stale, estimate. */
  answerStale = false
  /** Jobs it runs that wait on a job they submitted. */
  blocked = 0
  referenced = true
  idleTimer: NodeJS.Timeout | undefined = undefined
  /** Why we terminated it, if we did. */
  killReason: string | undefined = undefined
  /** Terminated because a cancelled job did not stop: the executor's doing, not a crash. */
  stopKilled = false
  /** Set by `shutdown({cancelFutures})`: the worker is terminated if still there when it fires. */
  stopTimer: Timer | undefined = undefined

  constructor(id: number) {
    this.id = id
  }

  /** Jobs given to it and not answered. */
  get load(): number {
    return this.inflight.size + this.outbox.length
  }
}
