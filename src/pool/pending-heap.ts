/**
 * The jobs of a `Pool` waiting for a slot: highest priority first, FIFO among equals. Entries that
 * left (a job killed before it started) are marked dead and skipped.
 *
 * @module
 */
import { BinaryHeap } from '../platform/binary-heap.js'

/** A job waiting for a slot. @internal */
export interface PendingJob {
  readonly priority: number
  readonly seq: number
  /** Starts the job; it now holds a slot. */
  readonly start: () => void
  dead: boolean
}

function before(a: PendingJob, b: PendingJob): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq)
}

/** @internal */
export class PendingHeap {
  readonly #heap = new BinaryHeap<PendingJob>(before)
  /** Invariant: live (not dead) entries. */
  live = 0

  push(job: PendingJob): void {
    this.#heap.push(job)
    this.live++
  }

  /** Marks a job as gone; it is skipped when it reaches the top. */
  kill(job: PendingJob): void {
    if (job.dead) return
    job.dead = true
    this.live--
    if (this.live === 0) this.#heap.items.length = 0
  }

  /** The next live job, removed. */
  shift(): PendingJob | undefined {
    for (let top = this.#heap.pop(); top !== undefined; top = this.#heap.pop()) {
      if (!top.dead) {
        top.dead = true
        this.live--
        return top
      }
    }
    return undefined
  }
}
