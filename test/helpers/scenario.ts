// Runs a fixture program as a child `node` process with a scenario name, and collects its exit.
import { spawn as spawnProcess } from 'node:child_process'

/** How a scenario's process ended, and what it printed. */
export interface Outcome {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `node fixture name`; once it prints "ready", sends it `signals` 30 ms apart, then waits for
 * its exit. A scenario that has not exited after 15 s is killed and the promise rejects.
 */
export function runScenario(fixture: string, name: string, signals: NodeJS.Signals[] = []): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawnProcess(process.execPath, [fixture, name], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let sent = false
    const guard = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`scenario ${name} did not exit in time; stdout: ${stdout}; stderr: ${stderr}`))
    }, 15_000)
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (!sent && signals.length > 0 && stdout.includes('ready\n')) {
        sent = true
        signals.forEach((sig, i) => setTimeout(() => child.kill(sig), 30 * i))
      }
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (code) => {
      clearTimeout(guard)
      resolve({ code, stdout, stderr })
    })
  })
}
