/**
 * An executor's workers as a set: starting them, letting idle ones go, closing them, bounding a
 * shutdown, and recording each exit and what kind of end it was.
 *
 * Kept apart from the executor because a worker's life has its own clock and its own counts
 * (start failures, crashes, terminations) that do not depend on which jobs it holds: the executor
 * decides what becomes of the jobs, here only the worker is handled. So nothing here settles or
 * moves a job; the executor hears of every message and exit through `SlotEvents` and does that.
 *
 * @module
 */
import { reportNow } from '../core/report.js'
import { realClock } from '../platform/clock.js'
import type { ExecutorConfig, WorkerStats } from './executor-options.js'
import { CLOSE } from './protocol.js'
import type { SpawnSettings, WorkerEvents, WorkerExit, WorkerHandle } from './worker-handle.js'
import { WorkerSlot } from './worker-slot.js'

/** Starts one worker: a thread or a child process. @internal */
export type Spawn = (s: SpawnSettings, events: WorkerEvents) => WorkerHandle

/** What the executor hears from its workers. @internal */
export interface SlotEvents {
  readonly message: (slot: WorkerSlot, msg: unknown[]) => void
  readonly exit: (slot: WorkerSlot, how: WorkerExit) => void
}

/** Workers failing to start this many times in a row break the executor. */
const MAX_START_FAILURES = 3

/** @internal */
export class WorkerSlots {
  /** Every worker that has not exited, in the order started. */
  readonly list: WorkerSlot[] = []
  /** Workers that died before they were ready, in a row: at `MAX_START_FAILURES` none is started. */
  startFailures = 0
  /** Workers that died without being asked to. */
  crashes = 0
  /** Workers the executor terminated because a job did not stop. */
  terminated = 0
  #nextId = 1
  readonly #minWorkers: number
  readonly #idleTimeoutMs: number
  readonly #killAfterMs: number
  readonly #settings: SpawnSettings
  readonly #spawn: Spawn
  readonly #events: SlotEvents

  constructor(c: ExecutorConfig, spawn: Spawn, events: SlotEvents) {
    this.#minWorkers = c.minWorkers
    this.#idleTimeoutMs = c.idleTimeoutMs
    this.#killAfterMs = c.killAfterMs
    this.#settings = c.settings
    this.#spawn = spawn
    this.#events = events
  }

  /** Whether a new worker may be started: workers have not failed to start too often in a row. */
  get canStart(): boolean {
    return this.startFailures < MAX_START_FAILURES
  }

  start(): WorkerSlot {
    const slot = new WorkerSlot(this.#nextId++)
    this.list.push(slot)
    const events = this.#events
    slot.handle = this.#spawn(
      { ...this.#settings, name: `${this.#settings.name}-${String(slot.id)}` },
      {
        message: (msg) => {
          events.message(slot, msg)
        },
        exit: (how) => {
          events.exit(slot, how)
        },
      },
    )
    return slot
  }

  /** Starts workers until there are `minWorkers`. */
  refill(): void {
    while (this.list.length < this.#minWorkers) this.start()
  }

  /** `slot` finished starting (its initializer ran): the run of start failures is over. */
  ready(slot: WorkerSlot): void {
    if (slot.state === 'starting') slot.state = 'ready'
    this.startFailures = 0
  }

  /** `slot` was given a job: it must not time out idle, and it holds the event loop open. */
  busy(slot: WorkerSlot): void {
    if (slot.idleTimer !== undefined) {
      clearTimeout(slot.idleTimer)
      slot.idleTimer = undefined
    }
    if (!slot.referenced) {
      slot.referenced = true
      slot.handle.ref()
    }
  }

  /**
   * `slot` has nothing to do: it no longer holds the event loop open, and one above `minWorkers`
   * leaves after `idleTimeoutMs`.
   */
  idle(slot: WorkerSlot): void {
    if (slot.referenced) {
      slot.referenced = false
      slot.handle.unref()
    }
    if (
      this.#idleTimeoutMs !== Infinity &&
      slot.idleTimer === undefined &&
      this.list.length > this.#minWorkers
    ) {
      slot.idleTimer = setTimeout(() => {
        slot.idleTimer = undefined
        if (slot.load === 0 && this.list.length > this.#minWorkers) this.close(slot)
      }, this.#idleTimeoutMs)
      slot.idleTimer.unref()
    }
  }

  /** Asks `slot` to exit once it has answered what it holds. */
  close(slot: WorkerSlot): void {
    if (slot.state === 'closing' || slot.state === 'dead') return
    slot.state = 'closing'
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer)
    slot.idleTimer = undefined
    // Held until it has exited, so a shutdown that waits is not cut short by the loop emptying.
    if (!slot.referenced) {
      slot.referenced = true
      slot.handle.ref()
    }
    this.send(slot, [CLOSE])
  }

  /** Closes every worker that holds no job. */
  closeIdle(): void {
    for (const slot of this.list) if (slot.load === 0) this.close(slot)
  }

  /**
   * A bound on the worker as a whole, not on one job: a worker stuck in its initializer, or busy
   * with a job cancelled before and not yet at its kill deadline, would otherwise keep the
   * shutdown waiting for ever.
   */
  armStop(slot: WorkerSlot): void {
    const ms = this.#killAfterMs
    if (slot.state === 'dead' || slot.stopTimer !== undefined || ms === Infinity) return
    slot.stopTimer = realClock.setTimer(ms, () => {
      slot.stopTimer = undefined
      if (slot.state === 'dead') return
      slot.killReason ??= `the executor shut down and its jobs did not stop within ${String(ms)} ms of being cancelled`
      slot.stopKilled = true
      slot.handle.terminate()
    })
  }

  /** Sends a live worker a control message: a cancel, a close, a nested job's outcome. */
  send(slot: WorkerSlot, msg: unknown[]): void {
    if (slot.state === 'dead') return
    try {
      slot.handle.send(msg)
    } catch (err) {
      reportNow(err, `a message to worker ${String(slot.id)}`)
    }
  }

  /**
   * `slot` exited: it leaves the set and its timers stop, and its end is counted as a termination
   * (ours), a crash (nobody asked it to go) or, before it was ready, a failed start. After the
   * executor broke, starts no longer count. Returns whether the exit was asked for.
   */
  exited(slot: WorkerSlot, broken: boolean): boolean {
    const expected = slot.state === 'closing' && slot.killReason === undefined
    if (slot.state === 'starting' && slot.killReason === undefined && !broken) this.startFailures++
    slot.state = 'dead'
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer)
    slot.stopTimer?.cancel()
    slot.stopTimer = undefined
    this.list.splice(this.list.indexOf(slot), 1)
    if (slot.stopKilled) this.terminated++
    else if (!expected) this.crashes++
    return expected
  }

  /** Each worker's row of `stats()`, at `now` (`performance.now()`). */
  stats(now: number): WorkerStats[] {
    return this.list.map((s) => ({
      id: s.id,
      state: s.state,
      completed: s.completed,
      utilization: Math.min(1, s.busyMicros / 1000 / Math.max(1e-3, now - s.startedAt)),
    }))
  }
}
