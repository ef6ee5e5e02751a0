/**
 * The demo's own nats-server: found on the PATH (or at `NATS_SERVER_BIN`), started on a free
 * loopback port it picks itself (`port: -1`, reported through `ports_file_dir`), with its config
 * in a temp folder that `stop()` removes.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/** `NATS_SERVER_BIN`, else the first `nats-server` on the PATH; undefined if there is none. */
export function findNatsServer(): string | undefined {
  const given = process.env['NATS_SERVER_BIN']
  if (given !== undefined && given !== '') return existsSync(given) ? given : undefined
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue
    const bin = join(dir, 'nats-server')
    if (existsSync(bin)) return bin
  }
  return undefined
}

/** One nats-server process on 127.0.0.1; with `jetstream`, its store in `<dir>/js`. */
export class NatsServer {
  readonly #bin: string
  readonly #jetstream: boolean
  /** The temp folder holding the config and the ports file. */
  readonly dir: string
  #child: ChildProcess | undefined
  #exited: Promise<void> = Promise.resolve()
  #port = 0
  #version = 'unknown'

  constructor(bin: string, opts: { readonly jetstream?: boolean; readonly folder?: string } = {}) {
    this.#bin = bin
    this.#jetstream = opts.jetstream === true
    this.dir = mkdtempSync(join(tmpdir(), opts.folder ?? 'verdant-demo-cluster-'))
  }

  get url(): string {
    return `nats://127.0.0.1:${String(this.#port)}`
  }
  get pid(): number | undefined {
    return this.#child?.pid
  }
  get version(): string {
    return this.#version
  }

  /** Starts the server; resolves once it accepts clients. */
  async start(): Promise<void> {
    const conf = join(this.dir, 'server.conf')
    const js = this.#jetstream ? `jetstream { store_dir: ${JSON.stringify(join(this.dir, 'js'))} }\n` : ''
    writeFileSync(conf, `host: 127.0.0.1\nport: -1\nports_file_dir: ${JSON.stringify(this.dir)}\n${js}`)
    const child = spawn(this.#bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
    this.#child = child
    let failed: Error | undefined
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => resolve())
      child.once('error', (err) => {
        failed = err
        resolve()
      })
    })
    let log = ''
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (s: string) => {
      log = (log + s).slice(-8192)
    })
    const ports = join(this.dir, `nats-server_${String(child.pid)}.ports`)
    const deadline = Date.now() + 10_000
    for (;;) {
      if (existsSync(ports) && log.includes('Server is ready')) {
        const urls = (JSON.parse(readFileSync(ports, 'utf8')) as { nats: string[] }).nats
        this.#port = Number(new URL((urls[0] ?? '').replace(/^nats:/, 'http:')).port)
        this.#version = /Version:\s+(\S+)/.exec(log)?.[1] ?? 'unknown'
        return
      }
      if (failed !== undefined) throw new Error(`could not start ${this.#bin}: ${failed.message}`)
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`nats-server exited at start:\n${log}`)
      }
      if (Date.now() > deadline) throw new Error(`nats-server did not start within 10 s:\n${log}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** Stops the server (SIGTERM, SIGKILL after 3 s), waits for it to exit, removes the folder. */
  async stop(): Promise<void> {
    const child = this.#child
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const force = setTimeout(() => child.kill('SIGKILL'), 3000)
      await this.#exited
      clearTimeout(force)
    }
    rmSync(this.dir, { recursive: true, force: true })
  }
}
