/**
 * Supervision: what a supervisor does when a child fails (OTP supervisors, Akka strategies).
 *
 * The strategy belongs to the supervisor; the restart type belongs to the child. Restart
 * intensity is counted per supervisor, as in OTP: more than `maxRestarts` restarts within
 * `withinMs` and the supervisor stops its children and fails itself, so its own supervisor decides.
 *
 * @module
 */
import { checkCount, checkMs, describe, typeError } from '../errors.js'

/**
 * What to do with a failed child: `restart` it from its factory (fresh state, same ref and
 * mailbox), `resume` it with its state, `stop` it, or `escalate` (the supervisor fails with the
 * same error). A `restartWithBackoff(...)` value restarts after a growing delay.
 * @since 0.1.0
 */
export type Directive = 'restart' | 'resume' | 'stop' | 'escalate' | Backoff

/**
 * Which children a restart takes along: `oneForOne` only the failed one, `oneForAll` every child,
 * `restForOne` the failed one and those started after it.
 * @since 0.1.0
 */
export type Strategy = 'oneForOne' | 'oneForAll' | 'restForOne'

/**
 * A child's restart type (OTP): `permanent` restarts after a failure or after it stopped itself,
 * `transient` only after a failure, `temporary` never.
 * @since 0.1.0
 */
export type RestartType = 'permanent' | 'transient' | 'temporary'

/**
 * How a failure is decided and how many restarts are allowed.
 * @since 0.1.0
 */
export interface SupervisionOptions {
  /** The directive for an error (default: always `restart`). */
  readonly decide?: ((error: unknown) => Directive) | undefined
  /** Restarts allowed within `withinMs` before giving up (default 3). */
  readonly maxRestarts?: number | undefined
  /** The window of `maxRestarts`, in ms (default 5000). */
  readonly withinMs?: number | undefined
}

/**
 * A supervisor's strategy for its children.
 * @example
 * system.spawn(Parent, { supervisor: { strategy: 'oneForAll', maxRestarts: 3, withinMs: 5000, decide: () => 'restart' } })
 * @since 0.1.0
 */
export interface SupervisorOptions extends SupervisionOptions {
  /** Default `oneForOne`. */
  readonly strategy?: Strategy | undefined
}

/** Options of `restartWithBackoff`. @since 0.1.0 */
export interface BackoffOptions {
  /** Delay before the first restart. */
  readonly minMs: number
  /** The delay doubles per consecutive restart up to this. */
  readonly maxMs: number
  /** Adds up to this fraction of random delay (default 0.2), so restarts do not align. */
  readonly randomFactor?: number | undefined
  /** A child that ran this long without failing starts again from `minMs` (default `maxMs`). */
  readonly resetAfterMs?: number | undefined
}

/**
 * A restart directive that waits `min(maxMs, minMs * 2^n) * (1 + random * randomFactor)` before
 * the n-th consecutive restart (Akka `restartWithBackoff`). Messages keep queueing meanwhile.
 * @since 0.1.0
 */
export class Backoff {
  readonly minMs: number
  readonly maxMs: number
  readonly randomFactor: number
  readonly resetAfterMs: number
  /** @internal Use `restartWithBackoff`. */
  constructor(opts: BackoffOptions) {
    if (typeof opts !== 'object' || opts === null) throw typeError('opts', 'an options object', opts)
    this.minMs = checkMs('minMs', opts.minMs)
    this.maxMs = checkMs('maxMs', opts.maxMs)
    if (this.maxMs < this.minMs) {
      throw new RangeError(
        `Expected \`maxMs\` >= \`minMs\`, got ${String(this.maxMs)} < ${String(this.minMs)}`,
      )
    }
    const rf = opts.randomFactor ?? 0.2
    if (typeof rf !== 'number' || !(rf >= 0)) {
      throw new RangeError(`Expected \`randomFactor\` to be a number >= 0, got ${describe(rf)}`)
    }
    this.randomFactor = rf
    this.resetAfterMs = checkMs('resetAfterMs', opts.resetAfterMs ?? this.maxMs)
  }

  /** The delay before restart number `n` (0-based) of a run of failures. */
  delay(n: number): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** Math.min(n, 52))
    return base * (1 + Math.random() * this.randomFactor)
  }
}

/**
 * A directive that restarts after an exponential backoff.
 * @example
 * ctx.spawn(Poller, {})  // with the parent spawned as:
 * system.spawn(Parent, { supervisor: { decide: () => restartWithBackoff({ minMs: 100, maxMs: 10_000 }) } })
 * @since 0.1.0
 */
export function restartWithBackoff(opts: BackoffOptions): Backoff {
  return new Backoff(opts)
}

/** A checked strategy. @internal */
export interface ResolvedStrategy {
  readonly strategy: Strategy
  readonly decide: (error: unknown) => Directive
  readonly maxRestarts: number
  readonly withinMs: number
}

const always = (): Directive => 'restart'
const STRATEGIES: readonly Strategy[] = ['oneForOne', 'oneForAll', 'restForOne']
const RESTART_TYPES: readonly RestartType[] = ['permanent', 'transient', 'temporary']

/** The default: one-for-one, always restart, at most 3 restarts in 5 s. @internal */
export const DEFAULT_STRATEGY: ResolvedStrategy = Object.freeze({
  strategy: 'oneForOne',
  decide: always,
  maxRestarts: 3,
  withinMs: 5000,
})

/** Checks and completes supervisor options. @internal */
export function resolveStrategy(opts: SupervisorOptions | undefined, what: string): ResolvedStrategy {
  if (opts === undefined) return DEFAULT_STRATEGY
  if (typeof opts !== 'object')
    throw new TypeError(`Expected \`${what}\` to be an options object, got ${describe(opts)}`)
  const strategy = opts.strategy ?? 'oneForOne'
  if (!STRATEGIES.includes(strategy)) {
    throw new TypeError(
      `Expected \`${what}.strategy\` to be one of ${STRATEGIES.join(', ')}, got ${describe(strategy)}`,
    )
  }
  const decide = opts.decide ?? always
  if (typeof decide !== 'function') {
    throw new TypeError(`Expected \`${what}.decide\` to be a function, got ${describe(decide)}`)
  }
  const maxRestarts = checkCount(`${what}.maxRestarts`, opts.maxRestarts ?? 3, 0, { infinite: true })
  const withinMs = checkMs(`${what}.withinMs`, opts.withinMs ?? 5000)
  return { strategy, decide, maxRestarts, withinMs }
}

/** Checks a restart type. @internal */
export function checkRestartType(t: unknown): RestartType {
  if (t === undefined) return 'transient'
  if (!RESTART_TYPES.includes(t as RestartType)) {
    throw new TypeError(`Expected \`restart\` to be one of ${RESTART_TYPES.join(', ')}, got ${describe(t)}`)
  }
  return t as RestartType
}

/** A decision that cannot throw: a throwing or wrong `decide` escalates. @internal */
export function decideSafely(strategy: ResolvedStrategy, error: unknown): Directive {
  let d: Directive
  try {
    d = strategy.decide(error)
  } catch {
    return 'escalate'
  }
  if (d instanceof Backoff || d === 'restart' || d === 'resume' || d === 'stop' || d === 'escalate') return d
  return 'escalate'
}

/**
 * Restart timestamps of one supervisor, to check the intensity (OTP `intensity`/`period`).
 * @internal
 */
export class RestartWindow {
  readonly #times: number[] = []
  /** Records a restart at `now`; false if that makes more than `max` within `withinMs`. */
  allow(now: number, max: number, withinMs: number): boolean {
    const times = this.#times
    times.push(now)
    while (times.length > 0 && now - (times[0] as number) > withinMs) times.shift()
    return times.length <= max
  }
}
