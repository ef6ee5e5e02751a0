import { afterEach, beforeEach } from 'vitest'
import { onUnobservedFailure, type UnobservedFailure } from 'verdant'
import { assertNoLeaks } from 'verdant/testing'

const seen: UnobservedFailure[] = []
let off: (() => void) | undefined
let hostTimersBefore = 0

function hostTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length
}

/** Returns and clears the unobserved failures reported during this test. */
export function takeUnobserved(): UnobservedFailure[] {
  return seen.splice(0)
}

beforeEach(() => {
  seen.length = 0
  off = onUnobservedFailure((f) => seen.push(f))
  hostTimersBefore = hostTimers()
})

afterEach(async () => {
  await assertNoLeaks()
  off?.()
  const left = seen.splice(0)
  if (left.length > 0) {
    throw new Error(
      `unexpected unobserved failures: ${left.map((f) => `${f.source}: ${String(f.error)}`).join('; ')}`,
    )
  }
  let hostNow = hostTimers()
  // A host timer cleared during the test may be released on the next turn.
  for (let i = 0; i < 3 && hostNow > hostTimersBefore; i++) {
    await new Promise((resolve) => setImmediate(resolve))
    hostNow = hostTimers()
  }
  if (hostNow > hostTimersBefore) {
    throw new Error(
      `host timers leaked: ${hostTimersBefore} before the test, ${hostNow} after (${process.getActiveResourcesInfo().join(', ')})`,
    )
  }
})
