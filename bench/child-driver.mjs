// A bench's child process driven over IPC: it sends `{ ready }` once set up, answers each
// `{ id, cmd }` with `{ id, ... }` (or `{ id, error }`), and may send messages of its own.

import { fork } from 'node:child_process'

/**
 * Forks `file` with `args` and resolves once it is ready, with `cmd(name, fields)` (resolves with
 * its answer) and `stop()` (asks it to stop, SIGKILL after 5 s; idempotent).
 * A child still running when this process exits is killed. `onMessage` gets its other messages.
 */
export function driveChild(file, args, { execArgv = ['--expose-gc'], onMessage } = {}) {
  const child = fork(file, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const exited = new Promise((r) => child.once('exit', r))
  let next = 0
  const waiting = new Map()
  let ready
  const isReady = new Promise((resolve, reject) => {
    ready = resolve
    child.once('exit', (code) => reject(new Error(`${file} exited at start (${code})`)))
  })
  child.on('message', (m) => {
    if (m.ready !== undefined) ready(m)
    else if (m.id !== undefined && waiting.has(m.id)) {
      const w = waiting.get(m.id)
      waiting.delete(m.id)
      if (m.error !== undefined) w.reject(new Error(m.error))
      else w.resolve(m)
    } else onMessage?.(m)
  })
  const cmd = (c, fields = {}) =>
    new Promise((resolve, reject) => {
      const id = ++next
      waiting.set(id, { resolve, reject })
      child.send({ id, cmd: c, ...fields })
    })
  let stopped
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const force = setTimeout(() => child.kill('SIGKILL'), 5000)
        await Promise.race([cmd('stop').catch(() => undefined), exited])
        await exited
        clearTimeout(force)
      }
      process.removeListener('exit', killOnExit)
    })())
  return isReady.then(() => ({ cmd, stop }))
}
