// run() when the event loop has nothing left to run but main's task tree still waits: nothing can
// wake it, so instead of letting Node exit with no finalizer run, run() shuts the tree down. A
// main whose body returned settles with its value; a main still waiting is killed and reported.
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { type Outcome, runScenario } from '../helpers/scenario.js'
import { run } from 'verdant'

const fixture = fileURLToPath(new URL('../fixtures/idle-scenarios.mjs', import.meta.url))

const scenario = (name: string): Promise<Outcome> => runScenario(fixture, name)

describe('run(): the event loop goes idle while main waits', () => {
  it('main returned with an actor system left running: the actors stop, run() resolves with 42, exit 0', async () => {
    const r = await scenario('actors')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('postStop /user/parent/child\npostStop /user/parent\nresolved 42\n')
    expect(r.stderr).toBe('')
  })

  it('main waiting on an event never set: it is killed, its finally runs, exit 1 with a line on stderr', async () => {
    const r = await scenario('stuck')
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(
      'main finally\nrejected TaskKilled: task main was killed: "idle: nothing left to wake main"\n',
    )
    expect(r.stderr).toMatch(
      /^verdant: task "main" was still waiting when the event loop had nothing left to run, so its task tree was shut down\n$/,
    )
  })

  it('a child holding a timer is not cut short: it finishes first, then the rest is shut down', async () => {
    const r = await scenario('timer')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('child woke\npostStop /user/parent/child\npostStop /user/parent\nresolved 7\n')
    expect(r.stderr).toBe('')
  })

  it("listens to 'beforeExit' only while run() is pending", async () => {
    const before = process.listenerCount('beforeExit')
    let during = -1
    const value = await run(
      async (ctx) => {
        during = process.listenerCount('beforeExit')
        await ctx.sleep(1)
        return 'done'
      },
      { signals: [], forceExit: false },
    )
    expect(value).toBe('done')
    expect(during).toBe(before + 1)
    expect(process.listenerCount('beforeExit')).toBe(before)
  })
})
