/**
 * The jobs of a `Pool` waiting for a slot: highest priority first, FIFO among equals. Entries that
 * left (a job killed before it started) are marked dead and skipped.
 *
 * @module
 */

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
  #items: PendingJob[] = []
  /** Invariant: live (not dead) entries. */
  live = 0

  push(job: PendingJob): void {
    const items = this.#items
    let i = items.length
    items.push(job)
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = items[parent] as PendingJob
      if (!before(job, p)) break
      items[i] = p
      i = parent
    }
    items[i] = job
    this.live++
  }

  /** Marks a job as gone; it is skipped when it reaches the top. */
  kill(job: PendingJob): void {
    if (job.dead) return
    job.dead = true
    this.live--
    if (this.live === 0) this.#items.length = 0
  }

  /** The next live job, removed. */
  shift(): PendingJob | undefined {
    const items = this.#items
    while (items.length > 0) {
      const top = items[0] as PendingJob
      const last = items.pop() as PendingJob
      if (items.length > 0) {
        let i = 0
        for (;;) {
          let child = 2 * i + 1
          if (child >= items.length) break
          const right = child + 1
          if (right < items.length && before(items[right] as PendingJob, items[child] as PendingJob))
            child = right
          const c = items[child] as PendingJob
          if (!before(c, last)) break
          items[i] = c
          i = child
        }
        items[i] = last
      }
      if (!top.dead) {
        top.dead = true
        this.live--
        return top
      }
    }
    return undefined
  }
}
