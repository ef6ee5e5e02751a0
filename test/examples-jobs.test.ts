/**
 * `npm run demo:jobs` as users run it: the built program, in a process of its own, with its own
 * nats-server (JetStream on) and two worker processes. Its output must tell the story (both
 * workers ran jobs, worker a was killed, worker b ran again the jobs it held, every future settled
 * with the right sum) and nothing may be left running. The built `dist-examples/` must be
 * current: `npm test` builds it first (`pretest`).
 */
import { expect, it } from 'vitest'
import { builtClusterDemo, type DemoRun, expectNothingLeft, runDemo } from './helpers/demo-run.js'
import { describeNats } from './remote/fixture.js'

const demo = builtClusterDemo('jobs')

/** The one line of `run` matching `re`, and its groups. */
function line(run: DemoRun, re: RegExp): RegExpExecArray {
  const found = run.lines.map((l) => re.exec(l)).filter((m) => m !== null)
  expect(found, `one line matching ${String(re)} in\n${run.lines.join('\n')}`).toHaveLength(1)
  return found[0] as RegExpExecArray
}

describeNats('demo:jobs', () => {
  it('spreads jobs over two workers, runs again those of the one killed, and leaves nothing running', async () => {
    const began = Date.now()
    const run = await runDemo(demo)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(Date.now() - began).toBeLessThan(15_000)

    const jobs = Number(line(run, /^-> the submitter sends (\d+) jobs sumRange/)[1])
    expect(jobs).toBeGreaterThanOrEqual(8)

    // The kill: worker a held jobs it had not finished, and ended by SIGKILL.
    const kill = line(
      run,
      /^-> kill -9 worker a \(pid (\d+)\) while it runs (\d+) jobs?, after it completed (\d+): ended by SIGKILL$/,
    )
    const held = Number(kill[2])
    expect(held).toBeGreaterThanOrEqual(1)

    // Both workers ran jobs; worker b ran again the ones worker a held.
    const ranA = Number(line(run, /^-> worker a ran: completed (\d+) /)[1])
    const b = line(run, /^-> worker b ran: completed (\d+), redelivered (\d+) .*, retried 0, failed 0$/)
    const ranB = Number(b[1])
    const redelivered = Number(b[2])
    expect(ranA).toBeGreaterThanOrEqual(1)
    expect(ranB).toBeGreaterThanOrEqual(1)
    expect(redelivered).toBeGreaterThanOrEqual(1)
    expect(ranA + ranB).toBeGreaterThanOrEqual(jobs)

    // Every future settled with the right value; those worker a lost took two attempts.
    const futures = line(run, /^-> futures: (.*)$/)[1] as string
    const counts = new Map(
      [...futures.matchAll(/(\d+) jobs? with attempts === (\d+)/g)].map((m) => [Number(m[2]), Number(m[1])]),
    )
    expect([...counts.values()].reduce((x, y) => x + y, 0)).toBe(jobs)
    expect(counts.get(2) ?? 0).toBeGreaterThanOrEqual(1)
    expect(counts.get(2) ?? 0).toBeLessThanOrEqual(redelivered)
    line(run, new RegExp(`^-> all ${String(jobs)} futures settled with the right sum$`))

    // Nothing left: the pids the demo named (nats-server, worker a, worker b), every child seen under it, its folder.
    expectNothingLeft(run, 3)
    expect(run.lines.at(-1)).toMatch(
      /^-> worker b and nats-server stopped, its folder removed; no process left/,
    )
  }, 30_000)
})
