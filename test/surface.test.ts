import { expect, it } from 'vitest'
import * as verdant from 'verdant'
import * as testing from 'verdant/testing'

// Any change to the public API must show up here as a visible diff.
it('exports exactly the public surface', () => {
  expect(Object.keys(verdant).sort()).toMatchInlineSnapshot(`
    [
      "CancelledError",
      "Future",
      "InvalidStateError",
      "Op",
      "RealClock",
      "Scope",
      "Task",
      "TaskContext",
      "TaskKilled",
      "Timeout",
      "TimeoutError",
      "VerdantError",
      "VerdantInternalError",
      "allTasks",
      "asCompleted",
      "call",
      "currentTask",
      "debugEnabled",
      "disableDebug",
      "disableImplicitContext",
      "dumpTasks",
      "enableDebug",
      "enableImplicitContext",
      "gather",
      "getClock",
      "implicitContextEnabled",
      "joinAll",
      "killAll",
      "moveOnAfter",
      "onUnobservedFailure",
      "realClock",
      "run",
      "scoped",
      "shield",
      "sleep",
      "spawn",
      "spawnLater",
      "wait",
      "withTimeout",
      "yieldNow",
    ]
  `)
  expect(Object.keys(testing).sort()).toMatchInlineSnapshot(`
    [
      "TestClock",
      "VirtualClock",
      "assertNoLeaks",
      "leakReport",
      "settledState",
      "withVirtualTime",
    ]
  `)
})
