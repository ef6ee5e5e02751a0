/**
 * Which of the parent's Node flags a worker starts with when the executor is given no `execArgv`.
 *
 * Node hands a worker the parent's flags as they are, but some only make sense for the main entry:
 * `--input-type` makes a worker whose entry is a file fail to start, and `--eval=...` would make a
 * child process run the parent's script instead of the worker. Inspector flags would make every
 * child try to listen on the parent's port, and stop a thread at its first line. Loaders and
 * preloads (`--import`, `--require`, `--loader`) are kept: task modules may depend on them.
 *
 * @module
 */

/** What the flags are for. @internal */
export type WorkerKind = 'thread' | 'process'

/** Flags for the main entry only (how to read it, or instead of it). */
const ENTRY_ONLY = new Set([
  '-e',
  '--eval',
  '-p',
  '--print',
  '-pe',
  '--input-type',
  '-i',
  '--interactive',
  '-c',
  '--check',
  '--test',
  '--watch',
  '--watch-path',
  '--watch-preserve-output',
])

/** Flags that start the inspector (`--inspect[=[host:]port]`). */
const INSPECT = new Set(['--inspect', '--inspect-brk', '--inspect-wait'])
/** Flags that only choose the inspector's port. */
const INSPECT_PORT = new Set(['--inspect-port', '--debug-port'])

/**
 * Flags that set up the whole process: they already apply to every thread, and a thread given
 * them explicitly fails to start (`ERR_WORKER_INVALID_EXEC_ARGV`). V8 also reads them with `_` for `-`.
 */
const PROCESS_WIDE = new Set([
  '--max-old-space-size',
  '--max-semi-space-size',
  '--max-heap-size',
  '--stack-size',
  '--stack-trace-limit',
  '--expose-gc',
  '--title',
  '--abort-on-uncaught-exception',
  '--v8-pool-size',
  '--zero-fill-buffers',
  '--use-bundled-ca',
  '--use-openssl-ca',
  '--openssl-config',
  '--openssl-legacy-provider',
  '--openssl-shared-config',
  '--tls-cipher-list',
  '--trace-gc',
  '--jitless',
  '--perf-basic-prof',
  '--perf-basic-prof-only-functions',
  '--perf-prof',
  '--perf-prof-unwinding-info',
])

/** Flags whose value may come as the next argument instead of after `=`. */
const TAKES_VALUE = new Set([
  '-e',
  '--eval',
  '-p',
  '--print',
  '-pe',
  '--input-type',
  '--watch-path',
  '--inspect-port',
  '--debug-port',
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--title',
  '--stack-trace-limit',
  '--test-name-pattern',
  '--test-skip-pattern',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-concurrency',
  '--test-shard',
  '--test-timeout',
])

/**
 * The flags a worker of `kind` inherits from a parent started with `parent` (its
 * `process.execArgv`), or `undefined` when all of them may be inherited as Node does by default.
 *
 * Entry-only flags are dropped. Inspector flags are dropped for a thread (the parent's inspector
 * reaches threads already); a child process gets `--inspect=[host:]0` instead, so each child
 * listens on a free port of its own and stays debuggable. When flags are dropped for a thread, so
 * are process-wide flags, which Node refuses in a thread's explicit flags.
 * @internal
 */
export function workerExecArgv(parent: readonly string[], kind: WorkerKind): string[] | undefined {
  const kept: { name: string; args: string[] }[] = []
  let dropped = false
  let inspectHost: string | undefined
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i] as string
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    const name = eq === -1 ? arg : arg.slice(0, eq)
    // A value given as the next argument goes wherever its flag goes.
    const next = eq === -1 && TAKES_VALUE.has(name) && i + 1 < parent.length ? 1 : 0
    const args = parent.slice(i, i + 1 + next)
    i += next
    if (ENTRY_ONLY.has(name) || name.startsWith('--test-')) {
      dropped = true
    } else if (INSPECT.has(name) || INSPECT_PORT.has(name)) {
      dropped = true
      if (INSPECT.has(name)) inspectHost ??= eq === -1 ? '' : hostOf(arg.slice(eq + 1))
    } else if (name === '--inspect-publish-uid' && kind === 'thread') {
      dropped = true
    } else {
      kept.push({ name, args })
    }
  }
  if (!dropped) return undefined
  if (kind === 'process') {
    const out = kept.flatMap((k) => k.args)
    if (inspectHost !== undefined) out.unshift(`--inspect=${inspectHost}0`)
    return out
  }
  return kept.filter((k) => !PROCESS_WIDE.has(k.name.replaceAll('_', '-'))).flatMap((k) => k.args)
}

/** `host:` of an inspector address `[host:]port`, or '' when it names only a port. */
function hostOf(address: string): string {
  const colon = address.lastIndexOf(':')
  return colon === -1 ? (/^\d+$/.test(address) ? '' : `${address}:`) : address.slice(0, colon + 1)
}
