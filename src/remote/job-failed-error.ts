/**
 * The error of a distributed job that failed for good.
 *
 * @module
 */
import { describe, VerdantError } from '../errors.js'

/**
 * A distributed job failed for good: it had all its attempts, or its last one failed in a way a
 * retry cannot help. `cause` is the last attempt's error.
 * @since 0.3.0
 */
export class JobFailedError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_JOB_FAILED'
  /** The job id. */
  readonly jobId: string
  /** How many times it ran. */
  readonly attempts: number
  constructor(jobId: string, name: string, attempts: number, cause: unknown) {
    super(
      `job ${name} (${jobId}) failed after ${String(attempts)} attempt${attempts === 1 ? '' : 's'}: ${describe(cause)}`,
      {
        cause,
      },
    )
    this.jobId = jobId
    this.attempts = attempts
  }
}
