import { afterEach, beforeEach } from 'vitest'
import { onUnobservedFailure, type UnobservedFailure } from 'verdant'
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
})
