import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { type Outcome, runScenario } from '../helpers/scenario.js'

const fixture = fileURLToPath(new URL('../fixtures/run-scenarios.mjs', import.meta.url))

/** Runs a scenario; once it prints "ready", sends it the given signals, then waits for its exit. */
const scenario = (name: string, signals: NodeJS.Signals[] = []): Promise<Outcome> =>
  runScenario(fixture, name, signals)

describe('conformance: run() and shutdown', () => {
  it('gevent.signal(SIGQUIT, gevent.kill): SIGTERM kills the tree, runs finally blocks, exits 143', async () => {
    const r = await scenario('cleanup', ['SIGTERM'])
    expect(r.code).toBe(143)
    expect(r.stdout).toContain('worker cleaned up')
    expect(r.stdout).toContain('main cleaned up')
    expect(r.stdout).toContain('rejected TaskKilled')
    expect(r.stderr).toBe('')
  })

  it('asyncio.run: SIGINT exits 130 after clean-up', async () => {
    const r = await scenario('cleanup', ['SIGINT'])
    expect(r.code).toBe(130)
    expect(r.stdout).toContain('main cleaned up')
  })

  it('the talk: SIGQUIT exits 131 after clean-up', async () => {
    const r = await scenario('cleanup', ['SIGQUIT'])
    expect(r.code).toBe(131)
    expect(r.stdout).toContain('worker cleaned up')
  })

  it('run(): SIGINT while main awaits a pool map rejects naming the signal, not an internal task', async () => {
    const r = await scenario('poolmap', ['SIGINT'])
    expect(r.code).toBe(130)
    expect(r.stdout).toContain('rejected TaskKilled: task main was killed: "SIGINT"')
    expect(r.stdout).not.toContain('map-worker')
    expect(r.stderr).toBe('')
  })

  it('run(): a task that ignores its kill is reported when the grace period ends, and the process exits', async () => {
    const r = await scenario('immortal', ['SIGTERM'])
    expect(r.code).toBe(143)
    expect(r.stdout).toContain('stubborn ignores the kill')
    expect(r.stderr).toMatch(
      /clean-up did not finish within 200 ms of SIGTERM; still pending:\n#\d+ "stubborn" running/,
    )
  })

  it('run(): a second signal during clean-up gives up at once', async () => {
    const r = await scenario('slowcleanup', ['SIGINT', 'SIGINT'])
    expect(r.code).toBe(130)
    expect(r.stdout).toContain('slow clean-up started')
    expect(r.stderr).toContain('second SIGINT during shutdown')
  })

  it('asyncio.run: main failing sets exit code 1 and prints the error', async () => {
    const r = await scenario('fail')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('task "main" failed: Error: main failed on purpose')
    expect(r.stdout).toContain('rejected Error')
  })

  it('asyncio.run: tasks left when main returns are cancelled, then the process exits by itself with 0', async () => {
    const r = await scenario('leftover')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('main done\nbackground killed at the end\nresolved "value"\n')
    expect(r.stderr).toBe('')
  })

  it('asyncio debug mode: a slow step is reported with the task name; SIGUSR2 dumps the task tree', async () => {
    const r = await scenario('debug', ['SIGUSR2', 'SIGTERM'])
    expect(r.code).toBe(143)
    expect(r.stderr).toMatch(/a step of task "main"[\s\S]*held the event loop for \d+ ms/)
    expect(r.stderr).toMatch(
      /#\d+ "main" running [\d.]+m?s \[sleep, [\d.]+ s left\]\n {2}#\d+ "sleeper" running [\d.]+m?s \[sleep, [\d.]+ s left\]/,
    )
  })
})
