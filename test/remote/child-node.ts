// Nodes as child `node` processes (test/fixtures/remote-node.mjs), killed and waited for after
// each test so that none outlives it.
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'

const script = fileURLToPath(new URL('../fixtures/remote-node.mjs', import.meta.url))
const running = new Set<ChildNode>()

afterEach(async () => {
  for (const c of [...running]) await c.kill('SIGKILL')
})

export interface ChildNode {
  readonly id: string
  readonly pid: number
  /** Sends a command and resolves with the child's answer. */
  send(cmd: Record<string, unknown>): Promise<Record<string, unknown>>
  /** Kills the process and waits for it to exit. */
  kill(signal: NodeJS.Signals): Promise<void>
  /** Resolves when it exits. */
  readonly exited: Promise<void>
}

/** Starts a node process joined to `servers`; resolves once it has joined. */
export function startChildNode(
  servers: string | readonly string[],
  id: string,
  opts: Record<string, unknown> = {},
): Promise<ChildNode> {
  const list = typeof servers === 'string' ? [servers] : servers
  return startChild(script, [list.join(','), id, JSON.stringify(opts)], id)
}

/**
 * Starts `scriptPath` as a child `node` process with `argv`; resolves once it sends `{ready}`.
 * It speaks the same IPC protocol: `{cmd, id}` in, `{id, ...answer}` or `{id, error}` out.
 */
export async function startChild(
  scriptPath: string,
  argv: readonly string[],
  id: string,
): Promise<ChildNode> {
  const child: ChildProcess = fork(scriptPath, [...argv], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let next = 0
  const waiting = new Map<
    number,
    { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }
  >()
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: Record<string, unknown>) => {
      if (m['ready'] !== undefined) resolve()
      const w = waiting.get(m['id'] as number)
      if (w === undefined) return
      waiting.delete(m['id'] as number)
      if (typeof m['error'] === 'string') w.reject(new Error(m['error']))
      else w.resolve(m)
    })
    void exited.then(() => {
      reject(new Error(`node ${id} exited before it joined`))
      for (const w of waiting.values()) w.reject(new Error(`node ${id} exited`))
      waiting.clear()
    })
  })
  const node: ChildNode = {
    id,
    pid: child.pid as number,
    send(cmd) {
      return new Promise((resolve, reject) => {
        const mid = ++next
        waiting.set(mid, { resolve, reject })
        child.send({ ...cmd, id: mid })
      })
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
      running.delete(node)
    },
    exited,
  }
  running.add(node)
  void exited.then(() => running.delete(node))
  await ready
  return node
}
