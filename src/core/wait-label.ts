/**
 * What a task waits on, in words, for the observer page and `dumpTasks`.
 *
 * Nothing is recorded per wait for this: a task already holds the undo of the wait it is parked on
 * (or, for an async task, its open `ctx` waits), and the objects that can be such an undo say what
 * they are through a prototype method. A sleep, a queue or lock waiter, a join, a promise: each
 * answers from its own fields, so the label costs nothing until someone asks for it.
 *
 * @module
 */

/** An object a task can be parked on that says what it is. @internal */
export interface DescribedWait {
  /** Words such as `sleep, 1.2 s left` or `queue "jobs": get`. */
  _waitsOn(): string
}

/** What `w` (a wait's undo, or an async task's open wait) is, in words. @internal */
export function waitLabel(w: unknown): string {
  if (typeof w === 'object' && w !== null && typeof (w as Partial<DescribedWait>)._waitsOn === 'function') {
    return (w as DescribedWait)._waitsOn()
  }
  return 'an operation'
}

/**
 * An undo that is a function, with words for what it undoes: the ops whose undo is a closure return
 * one of these when they park, so the task parked on them can say what it waits on. @internal
 */
export class LabelledUndo implements DescribedWait {
  constructor(
    readonly undo: (reason?: unknown) => boolean | void,
    /** The words, or what makes them when asked (for words that change while it waits). */
    readonly label: string | (() => string),
  ) {}
  cancel(reason?: unknown): boolean | void {
    return this.undo(reason)
  }
  _waitsOn(): string {
    const l = this.label
    return typeof l === 'string' ? l : l()
  }
}

/** `sleep, 1.2 s left` for a deadline `at` on a clock that reads `now`. @internal */
export function sleepLabel(at: number, now: number): string {
  const left = Math.max(0, at - now)
  if (left === Infinity) return 'sleep, forever'
  return left < 1000
    ? `sleep, ${String(Math.round(left))} ms left`
    : `sleep, ${(left / 1000).toFixed(1)} s left`
}
