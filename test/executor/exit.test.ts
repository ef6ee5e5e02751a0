// The process around an executor: idle workers let it exit, and children die with their parent.
import { execFile, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { alive, childrenOf } from '../helpers/processes.js'

const script = fileURLToPath(new URL('../fixtures/executor-exit.mjs', import.meta.url))

describe('executor and process lifetime', () => {
  it('idle workers do not keep the process alive', async () => {
    const started = performance.now()
    const { stdout } = await promisify(execFile)(process.execPath, [script, 'idle'], { timeout: 15_000 })
    expect(stdout.trim()).toBe('3 7')
    expect(performance.now() - started).toBeLessThan(10_000)
  })

  it('child processes die when their parent is killed with SIGKILL, even mid-job', async () => {
    const parent = spawn(process.execPath, [script, 'orphans'], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve) => {
      parent.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve()
      })
    })
    const children = childrenOf(parent.pid ?? 0) ?? []
    expect(children.length).toBe(2)
    const exited = new Promise((resolve) => parent.once('exit', resolve))
    parent.kill('SIGKILL')
    await exited
    const deadline = Date.now() + 5000
    while (children.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(children.filter(alive)).toEqual([])
  })
})
