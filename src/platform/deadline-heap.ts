/**
 * A binary min-heap of timers ordered by (deadline, insertion order).
 *
 * Design: most verdant timers are guards that never fire (a timeout around work that finishes in
 * time), so cancel must be O(1). A cancelled entry is only marked dead and stays in the array until
 * it reaches the top or until dead entries outnumber live ones, when the heap is rebuilt in O(n).
 * That keeps cancel O(1), the memory bounded by twice the live count, and insertion O(1) in the
 * common case of equal durations started in order (the new deadline is the largest, so sift-up
 * stops at once). One host timer then serves the whole heap: see `clock.ts`.
 *
 * Layer: `platform/`, beside the clock that owns it; a task's own sleep entry (`core/task-wait.ts`)
 * and the virtual clock (`testing/`) use it from above.
 *
 * @module
 */
import { BinaryHeap } from './binary-heap.js'

/**
 * What a timer calls: a function, or an object whose `onTimer()` runs, which saves a closure per
 * timer on hot paths (a sleeping task's op is its own timer target). @internal
 */
export type TimerCallback = (() => void) | { onTimer(): void }

/** Runs a timer callback. @internal */
export function fireTimer(cb: TimerCallback | undefined): void {
  if (cb === undefined) return
  if (typeof cb === 'function') cb()
  else cb.onTimer()
}

/**
 * What the heap orders: a `TimerEntry`, or an object that is its own entry (a sleep, which then
 * needs no second object while it waits). An object is added at most once: a dead entry stays in
 * the array until dropped, so adding it again would put it there twice. Not part of the public API.
 */
export interface HeapTimer {
  /** Set to false when cancelled or fired; the heap drops dead entries lazily. */
  live: boolean
  /** The deadline in whole milliseconds, so it stays a small integer instead of a boxed double. */
  at: number
  /** Insertion order, which breaks ties between equal deadlines; -1 until added. */
  seq: number
  /** The heap it was added to. */
  heap: DeadlineHeap | undefined
  /** @internal Runs it once it is due; it has already been popped and marked dead. */
  onTimer(): void
}

/**
 * Cancels `entry` if it is still scheduled: marks it dead (the heap drops it lazily) and updates
 * the heap's live count. Returns false if it already fired or was cancelled. @internal
 */
export function unschedule(entry: HeapTimer): boolean {
  if (!entry.live) return false
  entry.live = false
  entry.heap?.onCancel()
  return true
}

/** One scheduled callback. @internal */
export class TimerEntry implements HeapTimer {
  live = false
  seq = -1
  heap: DeadlineHeap | undefined = undefined
  constructor(
    public at: number,
    public callback: TimerCallback | undefined,
  ) {}

  onTimer(): void {
    const cb = this.callback
    this.callback = undefined
    fireTimer(cb)
  }

  cancel(): void {
    if (unschedule(this)) this.callback = undefined
  }
}

function before(a: HeapTimer, b: HeapTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

/** The timer heap of a clock. Not part of the public API. */
export class DeadlineHeap {
  readonly #heap = new BinaryHeap<HeapTimer>(before)
  #seq = 0
  /** Invariant: the number of entries in the heap with `live === true`. */
  liveCount = 0
  /** Called when the last live entry is cancelled, so the owner can drop its host timer. */
  readonly onEmpty: () => void

  constructor(onEmpty: () => void = () => undefined) {
    this.onEmpty = onEmpty
  }

  /** Adds an entry whose `at` is set; see `HeapTimer` for why only once. */
  add(entry: HeapTimer): void {
    entry.seq = this.#seq++
    entry.live = true
    entry.heap = this
    this.#heap.push(entry)
    this.liveCount++
  }

  /** Earliest live entry, dropping dead ones from the top. */
  peek(): HeapTimer | undefined {
    const heap = this.#heap
    for (let top = heap.peek(); top !== undefined; top = heap.peek()) {
      if (top.live) return top
      heap.pop()
    }
    return undefined
  }

  /** Removes and returns the earliest live entry if it is due at `now`. */
  popDue(now: number): HeapTimer | undefined {
    const top = this.peek()
    if (top === undefined || top.at > now) return undefined
    this.#heap.pop()
    top.live = false
    this.liveCount--
    return top
  }

  onCancel(): void {
    this.liveCount--
    const heap = this.#heap
    if (this.liveCount === 0) {
      heap.items.length = 0
      this.onEmpty()
    } else if (heap.size > 64 && heap.size > 2 * this.liveCount) {
      heap.filter((e) => e.live)
    }
  }

  get size(): number {
    return this.#heap.size
  }
}
