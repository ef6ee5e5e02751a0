/**
 * A demo's child process (a cluster node or a job worker), forked from a script beside the demo:
 * its output and the lines it reports are printed as `  <label> | <line>`, and the demo waits on
 * what it reports, on its exit, or stops it.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export abstract class DemoChild<Report extends object> {
  readonly id: string
  readonly exited: Promise<void>
  readonly #child: ChildProcess
  readonly #listeners = new Set<() => void>()

  /** `kind` names it in errors (`node`, `worker`); `label` is what its lines are printed after. */
  constructor(
    readonly kind: string,
    script: URL,
    args: readonly string[],
    id: string,
    label: string,
  ) {
    this.id = id
    const child = fork(fileURLToPath(script), [...args], {
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    })
    this.#child = child
    const relay = (line: string): void => {
      console.log(`  ${label} | ${line}`)
    }
    child.on('message', (m: Report) => {
      if ('line' in m && typeof m.line === 'string') relay(m.line)
      else this.onReport(m)
      this.changed()
    })
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8')
      let rest = ''
      stream?.on('data', (s: string) => {
        const lines = (rest + s).split('\n')
        rest = lines.pop() ?? ''
        for (const line of lines) relay(line)
      })
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        resolve()
        this.changed()
      })
    })
  }

  /** A report that is not a line to print. */
  protected abstract onReport(m: Report): void

  /** Something changed: the `until`s look again. */
  protected changed(): void {
    for (const l of [...this.#listeners]) l()
  }

  get pid(): number {
    return this.#child.pid ?? 0
  }

  /** How it ended: `exit code 0`, `SIGKILL`; undefined while it runs. */
  get exit(): string | undefined {
    const c = this.#child
    if (c.signalCode !== null) return c.signalCode
    return c.exitCode === null ? undefined : `exit code ${String(c.exitCode)}`
  }

  send(cmd: object): void {
    this.#child.send(cmd)
  }

  kill(signal: NodeJS.Signals): void {
    this.#child.kill(signal)
  }

  /** Resolves once `test()` holds; rejects if the process exits first or after `ms`. */
  until(what: string, test: () => boolean, ms = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (test()) end(undefined)
        else if (this.exit !== undefined) end(`${this.kind} ${this.id} ended (${this.exit}) before ${what}`)
      }
      const end = (failure: string | undefined): void => {
        clearTimeout(timer)
        this.#listeners.delete(check)
        if (failure === undefined) resolve()
        else reject(new Error(failure))
      }
      const timer = setTimeout(() => {
        end(`${this.kind} ${this.id}: no ${what} within ${String(ms)} ms`)
      }, ms).unref()
      this.#listeners.add(check)
      check()
    })
  }

  /** Resolves once the process has exited; rejects after `ms`. */
  exitWithin(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.kind} ${this.id} did not exit within ${String(ms)} ms`))
      }, ms).unref()
      void this.exited.then(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  /** Ends the process if it still runs: it is sent `cmd`, and killed after `graceMs`. */
  protected async stopWith(cmd: object, graceMs: number): Promise<void> {
    if (this.exit === undefined && this.#child.pid !== undefined) {
      if (this.#child.connected) this.#child.send(cmd)
      const force = setTimeout(() => {
        this.kill('SIGKILL')
      }, graceMs)
      await this.exited
      clearTimeout(force)
    }
  }
}

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}
