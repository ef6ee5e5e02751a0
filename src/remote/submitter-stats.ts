/**
 * What a distributed executor's submitter counts for `stats()`: its own jobs' ends, the job
 * servers' reports of themselves, and the stream's queue as the server counts it.
 *
 * The queue is sampled once a second from the consumer's info, and only while the submitter has
 * jobs pending, so an idle submitter costs the server nothing.
 *
 * @module
 */
import type { JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import { Histogram } from '../executor/histogram.js'
import type { ClusterExecutorStats, ClusterWorkerStats } from './job-options.js'
import type { JobNames } from './job-stream.js'
import { REPORT_MS, type WorkerReport } from './job-worker.js'

/** A worker not heard for this many reports is left out of `workers`. */
const SILENT_REPORTS = 3

/** @internal */
export class SubmitterStats {
  completed = 0
  failed = 0
  cancelled = 0
  retried = 0
  redelivered = 0
  deadLettered = 0
  readonly runTime = new Histogram()
  readonly waitTime = new Histogram()
  #queued = 0
  readonly #workers = new Map<string, { report: WorkerReport; at: number }>()
  readonly #sub: Subscription
  readonly #sampler: NodeJS.Timeout
  #sampling = false

  constructor(nc: NatsConnection, jsm: JetStreamManager, names: JobNames, busy: () => boolean) {
    this.#sub = nc.subscribe(names.workers, {
      callback: (_err, msg) => {
        let r: WorkerReport
        try {
          r = msg.json<WorkerReport>()
        } catch {
          return
        }
        if (typeof r.id !== 'string') return
        if (r.stopped === true) this.#workers.delete(r.id)
        else this.#workers.set(r.id, { report: r, at: performance.now() })
      },
    })
    this.#sampler = setInterval(() => {
      // Once more after the last job settled, so the queue does not stay as last seen.
      if ((!busy() && this.#queued === 0) || this.#sampling) return
      this.#sampling = true
      jsm.consumers
        .info(names.stream, names.consumer)
        .then((info) => {
          this.#queued = info.num_pending
        })
        .catch(() => undefined)
        .finally(() => {
          this.#sampling = false
        })
    }, REPORT_MS)
    this.#sampler.unref()
  }

  snapshot(pending: number): ClusterExecutorStats {
    const now = performance.now()
    const workers: ClusterWorkerStats[] = []
    let running = 0
    for (const [id, { report: r, at }] of this.#workers) {
      if (now - at > REPORT_MS * SILENT_REPORTS) continue
      running += r.running
      workers.push({
        id,
        lanes: r.lanes,
        running: r.running,
        completed: r.completed,
        failed: r.failed,
        redelivered: r.redelivered,
        lastSeenMs: Math.round(now - at),
      })
    }
    return {
      queued: this.#queued,
      running,
      pending,
      completed: this.completed,
      failed: this.failed,
      cancelled: this.cancelled,
      retried: this.retried,
      redelivered: this.redelivered,
      deadLettered: this.deadLettered,
      runTime: this.runTime.snapshot(),
      waitTime: this.waitTime.snapshot(),
      workers: workers.sort((a, b) => (a.id < b.id ? -1 : 1)),
    }
  }

  close(): void {
    clearInterval(this.#sampler)
    this.#sub.unsubscribe()
  }
}
