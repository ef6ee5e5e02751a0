/**
 * Naming work so it can cross to another thread or process: a module URL and an export name.
 *
 * A function cannot be sent to a worker, but the worker can import the module it lives in. A
 * `TaskRef<F>` carries that address and, in its type only, the function's signature, so
 * `executor.submit(ref, ...args)` checks the arguments and types the result.
 *
 * @module
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { checkCount, checkOptions, describe } from '../errors.js'

/** Any function a worker can run: plain arguments in, a value or a promise out. @since 0.1.0 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the widest function type, for constraints
export type WorkerFn = (...args: any[]) => unknown

declare const fnType: unique symbol

/**
 * The address of a function a worker can run: its module's URL and its export name.
 * @since 0.1.0
 */
export interface TaskRef<F extends WorkerFn> {
  /** The module's URL (`file:` for local files). */
  readonly moduleUrl: string
  /** The name of the export, `'default'` for the default export. */
  readonly exportName: string
  /** Runs again after its worker died under it, up to this many times (see `TaskOptions`). @since 0.2.0 */
  readonly retries?: number | undefined
  /** The function's type, for inference only; never set. */
  readonly [fnType]?: F
}

/**
 * A ref may carry, under this symbol, the name its jobs go by in errors and stats when it is not
 * its export's: a distributed job runs through a wrapper but is named after its own function.
 * @internal
 */
export const JOB_LABEL = Symbol('verdant.jobLabel')

/** The name a ref's jobs go by. @internal */
export function labelOf(ref: TaskRef<WorkerFn>): string {
  return (ref as { [JOB_LABEL]?: string })[JOB_LABEL] ?? ref.exportName
}

/** What `defineTask` and `taskRef` may declare about a task. @since 0.2.0 */
export interface TaskOptions {
  /**
   * The task is safe to run again (idempotent): when its worker dies while it runs, or after it
   * ran but before its result reached the executor, it runs again, up to this many more times.
   * Without it such a job fails with `WorkerCrashedError`, never running twice. `submit`'s own
   * `retries` option overrides it. Default 0.
   */
  readonly retries?: number | undefined
}

function checkTaskOptions(opts: unknown): number | undefined {
  const retries = checkOptions(opts as TaskOptions | undefined)?.retries
  return retries === undefined ? undefined : checkCount('retries', retries, 0)
}

/** The arguments a task takes. @since 0.1.0 */
export type TaskArgs<R> = R extends TaskRef<infer F> ? Parameters<F> : never

/** What a task's future resolves to: the function's return value, awaited. @since 0.1.0 */
export type TaskReturn<R> = R extends TaskRef<infer F> ? Awaited<ReturnType<F>> : never

function moduleHref(module: URL | string, what: string): string {
  if (module instanceof URL) return module.href
  if (typeof module === 'string') {
    try {
      return new URL(module).href
    } catch {
      throw new TypeError(
        `${what} needs the module as a URL (new URL('./tasks.js', import.meta.url)) or an absolute URL string, got ${describe(module)}`,
      )
    }
  }
  throw new TypeError(`${what} needs the module as a URL or URL string, got ${describe(module)}`)
}

function checkExportName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`${what} needs the export name as a non-empty string, got ${describe(name)}`)
  }
  return name
}

/**
 * Names the export `exportName` of `module`, typed as `F`.
 *
 * @example
 * const add = taskRef<typeof import('./tasks.js')['add']>(new URL('./tasks.js', import.meta.url), 'add')
 * const sum = await executor.submit(add, 1, 2) // number
 * @since 0.1.0
 */
export function taskRef<F extends WorkerFn>(
  module: URL | string,
  exportName: string,
  opts?: TaskOptions,
): TaskRef<F> {
  const moduleUrl = moduleHref(module, 'taskRef()')
  const name = checkExportName(exportName, 'taskRef()')
  const retries = checkTaskOptions(opts)
  return retries === undefined ? { moduleUrl, exportName: name } : { moduleUrl, exportName: name, retries }
}

/** A function that is also its own `TaskRef`: call it here, or submit it to run elsewhere. @since 0.1.0 */
export type DefinedTask<F extends WorkerFn> = F & TaskRef<F>

/**
 * Declares a worker function in its own module, so the exported value is both the function and its
 * address. The name must be the export's name (a named function may omit it).
 *
 * @example
 * // tasks.ts
 * export const add = defineTask(import.meta.url, 'add', (a: number, b: number) => a + b)
 * // main.ts
 * const sum = await executor.submit(add, 1, 2) // number
 * @since 0.1.0
 */
export function defineTask<F extends WorkerFn>(
  moduleUrl: string,
  exportName: string,
  fn: F,
  opts?: TaskOptions,
): DefinedTask<F>
export function defineTask<F extends WorkerFn>(moduleUrl: string, fn: F, opts?: TaskOptions): DefinedTask<F>
export function defineTask<F extends WorkerFn>(
  moduleUrl: string,
  nameOrFn: string | F,
  fnOrOpts?: F | TaskOptions,
  maybeOpts?: TaskOptions,
): DefinedTask<F> {
  const named = typeof nameOrFn !== 'function'
  const fn = named ? fnOrOpts : nameOrFn
  if (typeof fn !== 'function') {
    throw new TypeError(`defineTask() needs a function, got ${describe(fn)}`)
  }
  const name = named ? nameOrFn : nameOrFn.name
  const retries = checkTaskOptions(named ? maybeOpts : fnOrOpts)
  Object.defineProperties(fn, {
    moduleUrl: { value: moduleHref(moduleUrl, 'defineTask()'), enumerable: true },
    exportName: { value: checkExportName(name, 'defineTask()'), enumerable: true },
    ...(retries === undefined ? {} : { retries: { value: retries, enumerable: true } }),
  })
  return fn as DefinedTask<F>
}

/** Reads and checks a ref passed to an executor. @internal */
export function checkTaskRef(ref: unknown, what: string): TaskRef<WorkerFn> {
  const r = ref as Partial<TaskRef<WorkerFn>> | null | undefined
  if (
    (typeof r !== 'object' && typeof r !== 'function') ||
    r === null ||
    typeof r.moduleUrl !== 'string' ||
    typeof r.exportName !== 'string'
  ) {
    throw new TypeError(
      `${what} needs a task reference made by taskRef() or defineTask(), got ${describe(ref)}`,
    )
  }
  return r as TaskRef<WorkerFn>
}

/**
 * The URL a worker imports for `moduleUrl`: itself, or in development the `.ts` source of a `.js`
 * URL (TypeScript sources import each other as `.js`). Throws `TypeError` with Node's
 * `ERR_MODULE_NOT_FOUND` code, naming the path, for a local file that does not exist, so the
 * error says that rather than how the module would have been loaded. @internal
 */
export function existingModule(moduleUrl: string, exportName: string): string {
  if (!moduleUrl.startsWith('file:')) return moduleUrl
  const path = fileURLToPath(moduleUrl)
  if (existsSync(path)) return moduleUrl
  const ts = moduleUrl.replace(/\.(m?)js$/, '.$1ts')
  if (ts !== moduleUrl && existsSync(fileURLToPath(ts))) return ts
  throw Object.assign(new TypeError(`cannot run ${exportName}(): its module ${path} does not exist`), {
    code: 'ERR_MODULE_NOT_FOUND',
  })
}
