/**
 * The functions an executor has been asked to run, numbered: a worker is told a module URL and
 * export name once, and each job then names its function by index.
 *
 * @module
 */
import { existingModule, type TaskRef, type WorkerFn } from './task-ref.js'

/** @internal */
export class TaskIndex {
  readonly #refs: TaskRef<WorkerFn>[] = []
  readonly #byKey = new Map<string, number>()
  readonly #byObject = new WeakMap<TaskRef<WorkerFn>, number>()

  /** The index of `ref`, numbering it on first use. Throws for a local module that does not exist. */
  indexOf(ref: TaskRef<WorkerFn>): number {
    // By object first: building and hashing the string key of a long module URL on every submit
    // showed in profiles. The check keeps a ref object that was changed after its first use right.
    const known = this.#byObject.get(ref)
    if (known !== undefined) {
      const r = this.#refs[known] as TaskRef<WorkerFn>
      if (r.moduleUrl === ref.moduleUrl && r.exportName === ref.exportName) return known
    }
    const key = `${ref.exportName}\0${ref.moduleUrl}`
    let i = this.#byKey.get(key)
    if (i === undefined) {
      // Once per module and export: a missing file fails the call that names it, not each job.
      existingModule(ref.moduleUrl, ref.exportName)
      i = this.#refs.length
      this.#refs.push({ moduleUrl: ref.moduleUrl, exportName: ref.exportName })
      this.#byKey.set(key, i)
    }
    this.#byObject.set(ref, i)
    return i
  }

  /** The function numbered `index`. */
  at(index: number): TaskRef<WorkerFn> {
    return this.#refs[index] as TaskRef<WorkerFn>
  }
}
