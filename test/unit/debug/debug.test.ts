import { describe, expect, it } from 'vitest'
import {
  debugEnabled,
  disableDebug,
  disableImplicitContext,
  dumpTasks,
  enableDebug,
  enableImplicitContext,
  currentTask,
  implicitContextEnabled,
  sleep,
  spawn,
  type Task,
} from 'verdant'
import { takeUnobserved } from '../../helpers/setup.js'
import { turn } from '../../helpers/util.js'

function busy(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // hold the event loop on purpose
  }
}

describe('debug mode', () => {
  it('is off unless VERDANT_DEBUG=1; off, it keeps no spawn stack', async () => {
    const on = process.env.VERDANT_DEBUG === '1'
    expect(debugEnabled()).toBe(on)
    const t = spawn(() => 1)
    expect(t._stack === undefined).toBe(!on)
    await t
  })

  it('reports a slow generator step with the task name', async () => {
    const lines: string[] = []
    enableDebug({ slowStepMs: 20, log: (l) => lines.push(l) })
    try {
      await spawn(
        function* () {
          yield* sleep(0)
          busy(40)
        },
        { name: 'hog' },
      )
    } finally {
      disableDebug()
    }
    expect(
      lines.some((l) => /a step of task "hog"/.test(l) && /held the event loop for \d+ ms/.test(l)),
    ).toBe(true)
  })

  it('reports a slow step of an async body after an await, naming the task', async () => {
    const lines: string[] = []
    enableDebug({ slowStepMs: 20, log: (l) => lines.push(l) })
    try {
      await spawn(
        async () => {
          await sleep(1)
          busy(40)
        },
        { name: 'async-hog' },
      )
    } finally {
      disableDebug()
    }
    expect(lines.filter((l) => l.includes('task "async-hog"'))).toHaveLength(1)
  })

  it('does not report fast steps', async () => {
    const lines: string[] = []
    enableDebug({ slowStepMs: 50, log: (l) => lines.push(l) })
    try {
      await spawn(function* () {
        yield* sleep(0)
      })
    } finally {
      disableDebug()
    }
    expect(lines).toEqual([])
  })

  it('keeps the spawn stack and puts it in unobserved failure reports', async () => {
    enableDebug({ log: () => undefined })
    try {
      spawn(
        () => {
          throw new Error('where from?')
        },
        { name: 'traced' },
      )
      await sleep(0)
      await turn()
    } finally {
      disableDebug()
    }
    const [report] = takeUnobserved()
    expect(report?.source).toBe('task "traced"')
    expect(report?.spawnStack).toMatch(/debug\.test\.ts/)
  })

  it('dumpTasks prints the tree with ids, names, states and ages', async () => {
    let inner: Task<void> | undefined
    const outer = spawn(
      function* () {
        inner = spawn(
          function* () {
            yield* sleep(50)
          },
          { name: 'inner' },
        )
        yield* sleep(50)
      },
      { name: 'outer' },
    )
    await sleep(1)
    const text = dumpTasks()
    expect(text).toMatch(
      new RegExp(
        `^#${outer.id} "outer" running \\d+ms \\[sleep, \\d+ ms left\\]\\n  #${inner?.id ?? 0} "inner" running \\d+ms \\[sleep, \\d+ ms left\\]\\n$`,
      ),
    )
    await outer.kill()
    expect(dumpTasks()).toBe('(no live tasks)\n')
  })
})

describe('implicit context', () => {
  it('is off by default; when on, spawn after an await makes a child', async () => {
    expect(implicitContextEnabled()).toBe(false)
    enableImplicitContext()
    try {
      let child: Task<void> | undefined
      const parent = spawn(async () => {
        await sleep(0)
        expect(currentTask()).toBe(parent)
        child = spawn(async () => {
          await sleep(1)
        })
      })
      await parent
      expect(child?.parent).toBe(parent)
    } finally {
      disableImplicitContext()
    }
    expect(implicitContextEnabled()).toBe(false)
  })
})
