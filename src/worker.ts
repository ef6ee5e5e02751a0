/**
 * `verdant/worker`: what a task module imports, without the rest of verdant: `defineTask` to name
 * its functions and the helpers a running job uses.
 *
 * @module
 */
export {
  defineTask,
  taskRef,
  type DefinedTask,
  type TaskArgs,
  type TaskOptions,
  type TaskRef,
  type TaskReturn,
  type WorkerFn,
} from './executor/task-ref.js'
export { insideWorker, jobSignal, submitFromJob } from './executor/worker-runtime.js'
export { jobInfo, type JobInfo } from './executor/job-info.js'
export {
  float64Records,
  SharedQueue,
  type RecordCodec,
  type SharedQueueOptions,
  type SharedWaitOptions,
} from './executor/shared-queue.js'
