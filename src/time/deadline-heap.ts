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
 * @module
 */

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

/** One scheduled callback. @internal */
export class TimerEntry {
  /** Set to false when cancelled or fired; the heap drops dead entries lazily. */
  live = true
  constructor(
    /** Whole milliseconds, so it stays a small integer instead of a boxed double per timer. */
    readonly at: number,
    readonly seq: number,
    public callback: TimerCallback | undefined,
    readonly heap: DeadlineHeap,
  ) {}

  cancel(): void {
    if (!this.live) return
    this.live = false
    this.callback = undefined
    this.heap.onCancel()
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

/** @internal */
export class DeadlineHeap {
  #items: TimerEntry[] = []
  #seq = 0
  /** Invariant: the number of entries in `#items` with `live === true`. */
  liveCount = 0
  /** Called when the last live entry is cancelled, so the owner can drop its host timer. */
  readonly onEmpty: () => void

  constructor(onEmpty: () => void = () => undefined) {
    this.onEmpty = onEmpty
  }

  push(at: number, callback: TimerCallback): TimerEntry {
    const entry = new TimerEntry(at, this.#seq++, callback, this)
    const items = this.#items
    let i = items.length
    items.push(entry)
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = items[parent] as TimerEntry
      if (!before(entry, p)) break
      items[i] = p
      i = parent
    }
    items[i] = entry
    this.liveCount++
    return entry
  }

  /** Earliest live entry, dropping dead ones from the top. */
  peek(): TimerEntry | undefined {
    const items = this.#items
    while (items.length > 0) {
      const top = items[0] as TimerEntry
      if (top.live) return top
      this.#popTop()
    }
    return undefined
  }

  /** Removes and returns the earliest live entry if it is due at `now`. */
  popDue(now: number): TimerEntry | undefined {
    const top = this.peek()
    if (top === undefined || top.at > now) return undefined
    this.#popTop()
    top.live = false
    this.liveCount--
    return top
  }

  onCancel(): void {
    this.liveCount--
    const items = this.#items
    if (this.liveCount === 0) {
      items.length = 0
      this.onEmpty()
    } else if (items.length > 64 && items.length > 2 * this.liveCount) {
      this.#rebuild()
    }
  }

  get size(): number {
    return this.#items.length
  }

  #popTop(): void {
    const items = this.#items
    const last = items.pop() as TimerEntry
    if (items.length === 0) return
    this.#siftDown(0, last)
  }

  #siftDown(start: number, entry: TimerEntry): void {
    const items = this.#items
    const n = items.length
    let i = start
    for (;;) {
      let child = 2 * i + 1
      if (child >= n) break
      const right = child + 1
      if (right < n && before(items[right] as TimerEntry, items[child] as TimerEntry)) child = right
      const c = items[child] as TimerEntry
      if (!before(c, entry)) break
      items[i] = c
      i = child
    }
    items[i] = entry
  }

  #rebuild(): void {
    const live = this.#items.filter((e) => e.live)
    this.#items = live
    for (let i = (live.length >> 1) - 1; i >= 0; i--) this.#siftDown(i, live[i] as TimerEntry)
  }
}
