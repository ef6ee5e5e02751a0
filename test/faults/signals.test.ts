// A real program under run() receiving a real signal, with tasks, a pool, both executors and an
// actor system running at once: every clean-up step must run, the exit code must name the
// signal, the shutdown must not wait for run()'s forced exit, and no worker process may outlive it.
import { type ChildProcess, spawn } from 'node:child_process'
import { constants } from 'node:os'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { alive, childrenOf } from '../helpers/processes.js'

const fixture = fileURLToPath(new URL('../fixtures/faults-signals.mjs', import.meta.url))
/** run()'s default `gracePeriodMs`, which the fixture keeps: at its end run() gives up and exits. */
const GRACE_MS = 5000
/** The fixture's executors' `killAfterMs`. */
const KILL_AFTER_MS = 300
/** Slack for a timer on a busy 2-CPU machine and for a worker's exit to be seen. */
const MARGIN_MS = 500

/** Every line a clean shutdown prints, whatever the executors' jobs do. */
const FINALLY_LINES = [
  'finally: generator task',
  'finally: async task',
  'finally: nested task',
  'finally: pool task 0',
  'finally: pool task 1',
  'finally: actor postStop',
  'finally: actor system shut down',
  'process children alive after shutdown: []',
]

interface Outcome {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** From sending the signal to the process's exit. */
  exitMs: number
  /** The worker processes it had when ready. */
  pids: number[]
  /** Those still alive about 2 s after its exit. */
  leftover: number[]
}

let running: ChildProcess | undefined
const seenPids = new Set<number>()

afterEach(() => {
  // Only matters when a test failed half-way: nothing it started may outlive it.
  if (running !== undefined && running.exitCode === null && running.signalCode === null) {
    running.kill('SIGKILL')
  }
  running = undefined
  for (const pid of seenPids) if (alive(pid)) process.kill(pid, 'SIGKILL')
  seenPids.clear()
})

/** The pids of a line `<prefix><a>,<b>,...`. */
function pidsAfter(stdout: string, prefix: string): number[] {
  const line = stdout.split('\n').find((l) => l.startsWith(prefix)) ?? ''
  return line
    .slice(prefix.length)
    .split(',')
    .filter((s) => s !== '')
    .map(Number)
}

/**
 * Starts the fixture, waits until it and both executors' jobs say they run, sends `sig`, waits
 * for the exit, then gives its worker processes up to 2 s to be reaped.
 */
async function signalled(scenario: 'cooperative' | 'deaf', sig: NodeJS.Signals): Promise<Outcome> {
  const child = spawn(process.execPath, [fixture, scenario], { stdio: ['ignore', 'pipe', 'pipe'] })
  running = child
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }))
    },
  )
  /** `promise`, or a failure showing the output so far if it takes longer than `ms`. */
  const within = async <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`${what}; stdout:\n${stdout}\nstderr:\n${stderr}`))
      }, ms)
    })
    try {
      return await Promise.race([promise, late])
    } finally {
      clearTimeout(timer)
    }
  }

  const ready = new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (
        /^ready /m.test(stdout) &&
        stdout.includes('thread job running') &&
        stdout.includes('process job running')
      ) {
        child.stdout.off('data', check)
        resolve()
      }
    }
    child.stdout.on('data', check)
    void exited.then(() =>
      reject(new Error(`exited before it was ready; stdout:\n${stdout}\nstderr:\n${stderr}`)),
    )
  })
  await within(ready, 8000, 'not ready in time')

  const pids = pidsAfter(stdout, 'ready ')
  const forked = childrenOf(child.pid!)
  for (const pid of [...pids, ...(forked ?? [])]) seenPids.add(pid)
  // Every worker process it has is one whose pid it printed, so checking those checks them all.
  if (forked !== undefined) expect(forked).toEqual([...pids].sort((a, b) => a - b))
  expect(pids).toContain(pidsAfter(stdout, 'process job running ')[0])

  const sent = performance.now()
  child.kill(sig)
  const exit = await within(exited, GRACE_MS + 3000, `no exit after ${sig}`)
  running = undefined

  const reaped = performance.now() + 2000
  while (pids.some(alive) && performance.now() < reaped) await new Promise((r) => setTimeout(r, 20))
  const leftover = pids.filter(alive)
  // A pid gone now may be reused by then: afterEach kills only what is still ours.
  seenPids.clear()
  for (const pid of leftover) seenPids.add(pid)
  return {
    code: exit.code,
    signal: exit.signal,
    stdout,
    stderr,
    exitMs: exit.at - sent,
    pids,
    leftover,
  }
}

/** How long the named executor's shutdown took, and what it had to terminate. */
function shutdownOf(
  stdout: string,
  pool: 'thread' | 'process',
): { ms: number; terminated: number; crashes: number } {
  const m = new RegExp(
    `^finally: ${pool} pool shut down in (\\d+) ms, terminated (\\d+), crashes (\\d+)$`,
    'm',
  ).exec(stdout)
  expect(m, `${pool} pool shutdown line in:\n${stdout}`).not.toBeNull()
  return { ms: Number(m![1]), terminated: Number(m![2]), crashes: Number(m![3]) }
}

describe('faults: a signal under run() with tasks, a pool, executors and actors running', () => {
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) {
    it(`${sig}: every clean-up runs, the exit code is 128 + ${constants.signals[sig]}, no worker process is left`, async () => {
      const r = await signalled('cooperative', sig)

      expect(r.signal).toBeNull()
      expect(r.code).toBe(128 + constants.signals[sig])
      for (const line of FINALLY_LINES) expect(r.stdout).toContain(`${line}\n`)
      expect(r.stdout).toContain(`run rejected TaskKilled: task main was killed: "${sig}"\n`)
      // Killed while waiting for a slot: it never runs.
      expect(r.stdout).not.toContain('pool task 2 started')
      // Jobs that honour jobSignal() stop by themselves: no worker needs terminating.
      expect(shutdownOf(r.stdout, 'thread')).toMatchObject({ terminated: 0, crashes: 0 })
      expect(shutdownOf(r.stdout, 'process')).toMatchObject({ terminated: 0, crashes: 0 })
      // run() giving up would also exit with the signal's code: only the time and stderr tell.
      expect(r.exitMs).toBeLessThan(GRACE_MS / 2)
      expect(r.stderr).toBe('')
      expect(r.leftover).toEqual([])
    })
  }

  it('jobs deaf to their cancellation: each executor terminates its worker after killAfterMs, well within the grace period', async () => {
    const r = await signalled('deaf', 'SIGTERM')

    expect(r.signal).toBeNull()
    expect(r.code).toBe(128 + constants.signals.SIGTERM)
    for (const line of FINALLY_LINES) expect(r.stdout).toContain(`${line}\n`)
    for (const pool of ['thread', 'process'] as const) {
      const s = shutdownOf(r.stdout, pool)
      expect(s, pool).toMatchObject({ terminated: 1, crashes: 0 })
      expect(s.ms, pool).toBeLessThan(KILL_AFTER_MS + MARGIN_MS)
    }
    // The two executors are shut down one after the other, as nested finally blocks do.
    expect(r.exitMs).toBeLessThan(2 * KILL_AFTER_MS + 2 * MARGIN_MS)
    expect(r.stderr).toBe('')
    expect(r.leftover).toEqual([])
  })
})
