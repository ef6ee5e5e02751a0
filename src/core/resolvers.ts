/**
 * A shared promise executor: `new Promise(captureResolvers)` hands out the resolving functions
 * without allocating a capturing closure (and its context) per promise, which showed in profiles
 * of `await task` and `ctx.call`. Read `captured` right after the `new Promise` call.
 *
 * @module
 */

/** @internal */
export const captured: {
  resolve: (value: never) => void
  reject: (error: unknown) => void
} = { resolve: () => undefined, reject: () => undefined }

/** @internal */
export function captureResolvers(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  captured.resolve = resolve
  captured.reject = reject
}
