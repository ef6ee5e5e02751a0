/**
 * Saying which of a job's values cannot be sent to a worker. The platform's clone error names the
 * first thing inside the value it could not clone, often an internal function of some library
 * object; the caller needs to know which of their arguments it was, and what type.
 *
 * @module
 */
import { DataCloneError } from '../errors.js'
import type { JobFuture } from './job-future.js'
import type { WorkerHandle } from './worker-handle.js'

/** The error for a job whose arguments (or `map` items) cannot be sent. @internal */
export function cloneError(job: JobFuture<unknown>, err: unknown, handle: WorkerHandle): DataCloneError {
  const args = job._args ?? []
  const item = job._fn < 0
  for (let i = 0; i < args.length; i++) {
    const value = args[i]
    try {
      handle.check(value)
    } catch (e) {
      // The platform names the first thing inside the value it could not clone, often an internal
      // function of some library object: the caller needs to know which of their values it was.
      return new DataCloneError(
        `${item ? 'item' : 'argument'} ${String(item ? job._first + i : i)} of ${job._name}() is ${typeName(value)}, which cannot be sent to a worker: ${cloneReason(value, e)}`,
        { cause: e },
      )
    }
  }
  return new DataCloneError(
    `${item ? 'an item' : 'an argument'} of ${job._name}() cannot be sent to a worker: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  )
}

function typeName(value: unknown): string {
  if (typeof value === 'function') return value.name === '' ? 'a function' : `a function (${value.name})`
  if (typeof value !== 'object' || value === null) return `a ${typeof value}`
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor
  const name = typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'object'
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`
}

function cloneReason(value: unknown, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  if (typeof value === 'function') return 'functions cannot be cloned'
  // The platform quotes the whole source of the function it met.
  if (/could not be cloned\.?$/.test(message) && /^\s*(async\s+)?(function|class)\b|=>/.test(message)) {
    return 'it holds a function, and functions cannot be cloned'
  }
  return message.split('\n', 1)[0] ?? message
}
