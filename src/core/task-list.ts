/**
 * Intrusive doubly linked lists of live tasks: the roots, and each task's children.
 *
 * A task is in exactly one list while it lives (its parent's, or the roots) and leaves it when it
 * finishes, so insert and remove are O(1) with no hashing and no allocation per task, and walking
 * from `first` gives spawn order (which is the order a parent kills its children in).
 *
 * @module
 */

/** The link fields a listed task carries. @internal */
export interface Linked {
  _prev: Linked | undefined
  _next: Linked | undefined
}

/** @internal */
export class TaskList<T extends Linked> {
  first: T | undefined = undefined
  last: T | undefined = undefined
  size = 0

  append(item: T): void {
    item._prev = this.last
    item._next = undefined
    if (this.last === undefined) this.first = item
    else this.last._next = item
    this.last = item
    this.size++
  }

  remove(item: T): void {
    const prev = item._prev as T | undefined
    const next = item._next as T | undefined
    if (prev === undefined) this.first = next
    else prev._next = next
    if (next === undefined) this.last = prev
    else next._prev = prev
    item._prev = item._next = undefined
    this.size--
  }

  /** A snapshot in list order, safe to iterate while items leave. */
  toArray(): T[] {
    const out: T[] = []
    for (let t = this.first; t !== undefined; t = t._next as T | undefined) out.push(t)
    return out
  }
}
