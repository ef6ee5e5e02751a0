import { afterEach, beforeEach } from 'vitest'
import { onUnobservedFailure, realClock, type UnobservedFailure } from 'verdant'
import { assertNoLeaks } from 'verdant/testing'

const seen: UnobservedFailure[] = []
let off: (() => void) | undefined

/** Returns and clears the unobserved failures reported during this test. */
export function takeUnobserved(): UnobservedFailure[] {
  return seen.splice(0)
}

beforeEach(() => {
  seen.length = 0
  off = onUnobservedFailure((f) => seen.push(f))
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
  // The real clock's one host timer must be gone once no verdant timer is pending.
  if (realClock._hostArmed) throw new Error('the real clock left its host timer armed with no timer pending')
})
