/**
 * The last steps debug mode found holding the event loop, kept for the observer page beside the
 * line debug mode logs for each.
 *
 * @module
 */

/** One slow step. @internal */
export interface SlowStep {
  /** Epoch ms. */
  readonly at: number
  readonly ms: number
  /** The task it ran in (its name), or the actor (its path) and the message it handled. */
  readonly task: string | undefined
  readonly actor: string | undefined
  readonly message: string | undefined
}

/** How many are kept. */
const KEPT = 20
const steps: SlowStep[] = []

/** Keeps `step`, dropping the oldest beyond the last 20. @internal */
export function recordSlowStep(step: SlowStep): void {
  steps.push(step)
  if (steps.length > KEPT) steps.shift()
}

/** The steps kept, newest first. @internal */
export function slowSteps(): SlowStep[] {
  return [...steps].reverse()
}

/** What a message is, in a word: its `type` field, or its class, or its kind of value. @internal */
export function messageKind(m: unknown): string {
  if (typeof m === 'object' && m !== null) {
    const type = (m as { type?: unknown }).type
    return typeof type === 'string' ? type : (m.constructor?.name ?? 'object')
  }
  return typeof m
}
