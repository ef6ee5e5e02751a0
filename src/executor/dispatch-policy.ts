/**
 * Which worker gets the next job, and how many jobs a worker may have in flight: the executor's
 * dispatch decisions, kept apart from messages and timers so they can be checked with numbers.
 *
 * Among equally loaded workers the last one picked keeps the job unless another answers clearly
 * faster. How fast a thread wakes depends on where the OS put it: on a VM a worker sharing the
 * caller's CPU answered a lone job in 8 µs and one on the other CPU in 80, while on one CPU
 * alternating between equal workers doubled the p99. Every `EXPLORE`-th pick starts from another
 * worker instead, so that every estimate stays fresh.
 *
 * @module
 */

/** What the policy reads and writes of a worker. @internal */
export interface DispatchSlot {
  readonly state: string
  /** Jobs given to it and not answered. */
  readonly load: number
  /** Jobs it runs that wait on a job they submitted: it gets no more work meanwhile. */
  readonly blocked: number
  /** Smoothed answer delay of lone jobs, µs; 0: not measured. */
  answerMicros: number
  /** Picked after another worker: its next lone answer replaces the old, possibly stale, estimate. */
  answerStale: boolean
}

/** Start of the adaptive window: enough to pipeline, few enough to spread long jobs. */
const INITIAL_RUN_MICROS = 500
/** Each worker gets about this much work in flight. */
const WINDOW_MICROS = 2000
const MAX_WINDOW = 1024
/** One pick in this many ignores the answer delays, so a worker judged slow gets measured again. */
export const EXPLORE = 512
/** Another idle worker takes over from the last one picked when it answers in under this share of its time. */
export const SWITCH_RATIO = 0.75
/** Weight of the newest sample in a worker's smoothed answer delay. */
export const ANSWER_WEIGHT = 0.2
/** Weight of the newest batch in the smoothed run time. */
const RUN_WEIGHT = 0.3

/** @internal */
export class DispatchPolicy<S extends DispatchSlot> {
  /** Smoothed run time of a job, µs. */
  avgRunMicros = INITIAL_RUN_MICROS
  /** Live workers (starting or ready) seen by the last `pick`. */
  live = 0
  /** Decisions made, for the exploring ones. */
  #picks = 0
  /** The worker given the last job (a reference: the list shifts when a worker leaves). */
  #last: S | undefined = undefined

  /**
   * The live, unblocked worker that should get the next job: the least loaded, and among equals
   * the last one picked unless another answers clearly faster. Undefined if none; `live` counts
   * the live ones.
   */
  pick(slots: readonly S[]): S | undefined {
    let best: S | undefined
    let live = 0
    const n = slots.length
    const explore = this.#picks++ % EXPLORE === 0 && n > 1
    const last = this.#last === undefined ? -1 : slots.indexOf(this.#last)
    // An exploring pick starts from one of the others, in turn: measuring the last one again
    // would teach nothing.
    const first = explore ? (last + 1 + (Math.floor(this.#picks / EXPLORE) % (n - 1))) % n : Math.max(0, last)
    for (let k = 0; k < n; k++) {
      const s = slots[(first + k) % n] as S
      if (s.state === 'starting' || s.state === 'ready') live++
      else continue
      if (s.blocked > 0) continue
      if (
        best === undefined ||
        s.load < best.load ||
        (!explore && s.load === best.load && s.answerMicros < best.answerMicros * SWITCH_RATIO)
      ) {
        best = s
      }
    }
    this.live = live
    return best
  }

  /** The next job went to `slot`. */
  chose(slot: S): void {
    if (slot === this.#last) return
    slot.answerStale = true
    this.#last = slot
  }

  /** Jobs a worker may have in flight: about `WINDOW_MICROS` of work, 1 to `MAX_WINDOW`. */
  window(): number {
    return Math.max(1, Math.min(MAX_WINDOW, Math.floor(WINDOW_MICROS / Math.max(1, this.avgRunMicros))))
  }

  /** A batch of `n` answers whose jobs ran `sumRunMicros` in all. */
  recordRuns(n: number, sumRunMicros: number): void {
    if (n > 0) this.avgRunMicros = this.avgRunMicros * (1 - RUN_WEIGHT) + (sumRunMicros / n) * RUN_WEIGHT
  }

  /** A lone job's round trip less its run time: how fast `slot` answers. */
  recordAnswer(slot: S, delayMicros: number): void {
    // A worker coming back into use may have moved since it was last measured.
    slot.answerMicros =
      slot.answerMicros === 0 || slot.answerStale
        ? delayMicros
        : slot.answerMicros * (1 - ANSWER_WEIGHT) + delayMicros * ANSWER_WEIGHT
    slot.answerStale = false
  }
}
