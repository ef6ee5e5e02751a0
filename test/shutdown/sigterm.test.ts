// SIGTERM to a program that runs one of everything under run(): one coordinated shutdown closes it
// all within the grace period. Every finally block and postStop runs, no worker thread or child
// process is left, the queued jobs that never started are reported, and the exit code is 143.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { alive, descendantsOf } from '../helpers/processes.js'

const program = fileURLToPath(new URL('../fixtures/shutdown-program.mjs', import.meta.url))

it('SIGTERM: every finalizer and postStop runs, no worker is left, queued jobs are reported, exit 143', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'verdant-shutdown-'))
  const log = join(dir, 'cleanup.log')
  const child = spawn(process.execPath, [program, log], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    await expect.poll(() => stdout.includes('"pid"'), { timeout: 15_000 }).toBe(true)
    const { pid } = JSON.parse(stdout.trim().split('\n')[0] ?? '{}') as { pid: number }
    // Its two process-pool workers run (the thread pool's are threads of this process).
    const workers = descendantsOf(pid) ?? []
    expect(workers.length).toBeGreaterThanOrEqual(2)
    const t0 = performance.now()
    child.kill('SIGTERM')
    const code = await exited
    expect(code).toBe(143)
    // Within the 8 s grace period, and not by giving up at its end.
    expect(performance.now() - t0).toBeLessThan(8000)
    expect(stderr).not.toContain('still pending')
    for (const w of workers) expect(alive(w)).toBe(false)
    const lines = readFileSync(log, 'utf8').trim().split('\n')
    for (const l of [
      'finally main',
      'finally worker',
      'finally g1',
      'finally g2',
      'postStop /user/parent',
      'postStop /user/parent/a',
      'postStop /user/parent/b',
    ])
      expect(lines).toContain(l)
    // Top-down: the children stop before their parent's postStop.
    expect(lines.indexOf('postStop /user/parent')).toBeGreaterThan(lines.indexOf('postStop /user/parent/a'))
    const report = JSON.parse(lines.find((l) => l.startsWith('report '))?.slice(7) ?? '{}') as {
      reason: string
      phases: { phase: string; unfinished: string[] }[]
      cancelledJobs: Record<string, number>
    }
    expect(report.reason).toBe('SIGTERM')
    expect(report.phases.map((p) => p.phase)).toEqual([
      'intake',
      'queued',
      'running',
      'actors',
      'workers',
      'connections',
    ])
    // Each pool ran two and had four queued: those never started, and are reported by name.
    expect(report.cancelledJobs).toEqual({ threads: 4, processes: 4 })
    expect(stderr).toContain('verdant: shutdown (SIGTERM): threads: 4 queued jobs cancelled before starting')
    expect(stderr).toContain('processes: 4 queued jobs cancelled before starting')
    // The named queue's three items, which nobody will take now.
    expect(stderr).toContain('queue orders: 3 items left')
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
}, 30_000)
