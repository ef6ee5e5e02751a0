/**
 * The jobs demo's own nats-server, with JetStream on: like the cluster demo's (found on the PATH or
 * at `NATS_SERVER_BIN`, a free loopback port reported through `ports_file_dir`), with its config
 * and its JetStream store in one temp folder that `stop()` removes.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export { findNatsServer } from '../cluster/nats-server.js'

/** One nats-server process on 127.0.0.1, JetStream stored in `<dir>/js`. */
export class JetStreamServer {
  readonly #bin: string
  /** The temp folder holding the config, the ports file and the JetStream store. */
  readonly dir: string
  #child: ChildProcess | undefined
  #exited: Promise<void> = Promise.resolve()
  #port = 0
  #version = 'unknown'

  constructor(bin: string) {
    this.#bin = bin
    this.dir = mkdtempSync(join(tmpdir(), 'verdant-demo-jobs-'))
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

  /** Starts the server; resolves once it accepts clients with JetStream ready. */
  async start(): Promise<void> {
    const conf = join(this.dir, 'server.conf')
    writeFileSync(
      conf,
      [
        'host: 127.0.0.1',
        'port: -1',
        `ports_file_dir: ${JSON.stringify(this.dir)}`,
        `jetstream { store_dir: ${JSON.stringify(join(this.dir, 'js'))} }`,
        '',
      ].join('\n'),
    )
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
