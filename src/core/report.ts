/**
 * Where failures nobody looked at go (gevent `Hub.handle_error`, asyncio's "exception was never
 * retrieved").
 *
 * A future or task that fails with no observer (nothing awaited, joined, linked or read its
 * exception, and no parent took the failure) is checked again after the event loop turn in which
 * it failed, the same grace Node gives a rejected promise. If still unobserved, every
 * `unobservedFailure` listener gets it; with no listener it is printed to stderr. It is never
 * turned into an `unhandledRejection`, and never dropped.
 *
 * @module
 */
import { describe, typeError } from '../errors.js'

/**
 * A failure that nobody observed.
 * @since 0.1.0
 */
export interface UnobservedFailure {
  /** The error the future or task failed with. */
  readonly error: unknown
  /** A human label: `task "name"` or `future`. */
  readonly source: string
  /** Where the task was spawned, in debug mode. */
  readonly spawnStack: string | undefined
}

/** What the reporter needs from a future. @internal */
export interface Reportable {
  readonly _observed: boolean
  _label(): string
  _spawnStack(): string | undefined
  readonly _result: unknown
}

type Listener = (failure: UnobservedFailure) => void

interface Check {
  readonly future: Reportable
  /** Called at the end of the turn with whether anything observed the failure by then. */
  readonly decide: ((observed: boolean) => void) | undefined
}

const listeners = new Set<Listener>()
let pending: Check[] = []
let scheduled = false

/**
 * Subscribes to failures nobody observed; returns the function that unsubscribes.
 *
 * **Details**: while at least one listener is subscribed, nothing is printed to stderr.
 * @example
 * const off = onUnobservedFailure(({ error, source }) => log.error(source, error))
 * @since 0.1.0
 */
export function onUnobservedFailure(listener: Listener): () => void {
  if (typeof listener !== 'function') throw typeError('listener', 'a function', listener)
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/**
 * Queues `future` for the end-of-turn check: if still unobserved then, `decide(false)` runs, or,
 * without `decide`, the failure is reported. The grace matters because `await thenable` attaches
 * its `then` a microtask late, after a task spawned just before may already have failed. @internal
 */
export function reportLater(future: Reportable, decide?: (observed: boolean) => void): void {
  pending.push({ future, decide })
  if (scheduled) return
  scheduled = true
  setImmediate(flush)
}

/** Reports an error raised by a done-callback or link, which has no other place to go. @internal */
export function reportNow(error: unknown, source: string): void {
  emit({ error, source, spawnStack: undefined })
}

function flush(): void {
  scheduled = false
  const batch = pending
  pending = []
  for (const { future: f, decide } of batch) {
    if (decide !== undefined) decide(f._observed)
    else if (!f._observed) emit({ error: f._result, source: f._label(), spawnStack: f._spawnStack() })
  }
}

function emit(failure: UnobservedFailure): void {
  if (listeners.size === 0) {
    const err = failure.error
    const text = err instanceof Error && err.stack !== undefined ? err.stack : describe(err)
    const where = failure.spawnStack === undefined ? '' : `\n  spawned at:${failure.spawnStack}`
    process.stderr.write(`verdant: ${failure.source} failed and nobody observed it: ${text}${where}\n`)
    return
  }
  for (const listener of listeners) {
    try {
      listener(failure)
    } catch (err) {
      process.stderr.write(`verdant: an unobservedFailure listener threw: ${describe(err)}\n`)
    }
  }
}

/** Pending reports not yet flushed; part of the leak check. @internal */
export function pendingReports(): number {
  return pending.length
}
