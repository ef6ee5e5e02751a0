/**
 * A shared promise executor: `new Promise(captureResolvers)` hands out the resolving functions
 * without allocating a capturing closure (and its context) per promise, which showed in profiles
 * of `await task` and `ctx.call`. Read `captured` right after the `new Promise` call, then call
 * `forgetResolvers()`.
 *
 * @module
 */

/** @internal */
export const captured: {
  resolve: (value: never) => void
  reject: (error: unknown) => void
} = { resolve: () => undefined, reject: () => undefined }

const NOOP = (): void => undefined

/**
 * Call once the captured functions are stored elsewhere: left in this module-level object, the
 * last promise's resolvers would keep that promise alive until the next one is made, and with it
 * its value, or an error whose unformatted stack trace holds the closures that made it. @internal
 */
export function forgetResolvers(): void {
  captured.resolve = captured.reject = NOOP
}

/** @internal */
export function captureResolvers(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  captured.resolve = resolve
  captured.reject = reject
}
