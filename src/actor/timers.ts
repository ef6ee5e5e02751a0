/**
 * Actor timers (Akka `TimerScheduler`): messages an actor sends itself later, by key.
 *
 * Timers run on verdant's clock, so they follow a virtual clock in tests. Each timer message
 * carries a token with the timer's generation; a message whose timer was cancelled or replaced
 * after it was enqueued is dropped when it comes up, so `cancel` is final even then.
 *
 * @module
 */
import { checkMs, describe } from '../errors.js'
import { getClock, setTimerOn, type Timer } from '../platform/clock.js'
import type { SenderSlot } from './actor-ref.js'

/** @internal The sender-slot token of a timer message. */
export class TimerToken implements SenderSlot {
  declare readonly _kind: 2
  static {
    Object.defineProperty(this.prototype, '_kind', { value: 2 })
  }
  constructor(
    readonly scheduler: TimerScheduler<unknown>,
    readonly key: unknown,
    readonly generation: number,
  ) {}
  /** True if the timer that sent it is still the live one for its key. */
  get valid(): boolean {
    return this.scheduler._valid(this)
  }
}

interface Entry {
  readonly generation: number
  readonly msg: unknown
  readonly periodMs: number | undefined
  timer: Timer
}

/** The sink a scheduler enqueues into. @internal */
export interface TimerTarget {
  _enqueueSystem(msg: unknown, sender: SenderSlot): void
}

let generations = 0

/**
 * Sends the actor messages after a delay or periodically. Starting a timer under a key that is
 * in use replaces it. All timers are cancelled when the actor stops or restarts.
 * @since 0.1.0
 */
export class TimerScheduler<M> {
  readonly #target: TimerTarget
  readonly #entries = new Map<unknown, Entry>()

  /** @internal */
  constructor(target: TimerTarget) {
    this.#target = target
  }

  /** Sends `msg` once after `delayMs`. */
  startSingleTimer(key: unknown, msg: M, delayMs: number): void {
    this.#start(key, msg, checkMs('delayMs', delayMs), undefined)
  }

  /** Sends `msg` every `intervalMs`, the first after `intervalMs` (fixed delay between sends). */
  startPeriodicTimer(key: unknown, msg: M, intervalMs: number): void {
    checkMs('intervalMs', intervalMs)
    if (intervalMs <= 0) {
      throw new RangeError(
        `Expected \`intervalMs\` to be > 0 for a periodic timer, got \`${describe(intervalMs)}\``,
      )
    }
    this.#start(key, msg, intervalMs, intervalMs)
  }

  /** True while the timer under `key` may still send. */
  isTimerActive(key: unknown): boolean {
    return this.#entries.has(key)
  }

  /** Cancels the timer under `key`; its message will not be handled, even if already enqueued. */
  cancel(key: unknown): void {
    const e = this.#entries.get(key)
    if (e === undefined) return
    e.timer.cancel()
    this.#entries.delete(key)
  }

  /** Cancels every timer. */
  cancelAll(): void {
    for (const e of this.#entries.values()) e.timer.cancel()
    this.#entries.clear()
  }

  /** @internal */
  _valid(token: TimerToken): boolean {
    const e = this.#entries.get(token.key)
    if (e === undefined || e.generation !== token.generation) return false
    if (e.periodMs === undefined) this.#entries.delete(token.key)
    return true
  }

  #start(key: unknown, msg: M, delayMs: number, periodMs: number | undefined): void {
    this.cancel(key)
    const entry: Entry = { generation: ++generations, msg, periodMs, timer: undefined as unknown as Timer }
    const fire = {
      onTimer: (): void => {
        if (this.#entries.get(key) !== entry) return
        if (periodMs !== undefined) entry.timer = setTimerOn(getClock(), periodMs, fire)
        this.#target._enqueueSystem(msg, new TimerToken(this, key, entry.generation))
      },
    }
    entry.timer = setTimerOn(getClock(), delayMs, fire)
    this.#entries.set(key, entry)
  }
}
