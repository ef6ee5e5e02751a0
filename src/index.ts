/**
 * verdant: gevent's and asyncio's concurrency model for TypeScript on Node.js.
 *
 * @module
 */
export {
  BrokenBarrierError,
  DataCloneError,
  DeadlockError,
  ExecutorShutDownError,
  WorkerCrashedError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  CancelledError,
  InvalidStateError,
  TaskKilled,
  TimeoutError,
  VerdantError,
  VerdantInternalError,
} from './errors.js'
export { call } from './core/call.js'
export { TaskContext } from './core/context.js'
export { Future, type DoneCallback, type FutureState, type WaitOptions } from './core/future.js'
export { disableImplicitContext, enableImplicitContext, implicitContextEnabled } from './core/implicit.js'
export { joinAll, killAll, type JoinAllOptions, type KillAllOptions } from './core/join.js'
export { Op, type Operation, type Wait } from './core/op.js'
export { onUnobservedFailure, type UnobservedFailure } from './core/report.js'
export { run, type RunOptions } from './run.js'
export {
  onShutdown,
  type CoordinatedShutdownReport,
  type ShutdownPhase,
  type ShutdownPhaseReport,
  type ShutdownResource,
} from './shutdown/coordinated.js'
export { Scope, scoped, type ScopeOptions } from './core/scope.js'
export { allTasks, currentTask } from './core/registry.js'
export { spawn, spawnLater } from './core/spawn.js'
export { Task, type SpawnOptions, type TaskFn, type TaskResult } from './core/task.js'
export { debugEnabled, disableDebug, enableDebug, type DebugOptions } from './debug/debug-mode.js'
export { dumpTasks } from './debug/dump-tasks.js'
export { asCompleted, type AsCompletedOptions, type Completed } from './future/as-completed.js'
export { gather, type GatherOptions } from './future/gather.js'
export { shield } from './future/shield.js'
export { wait, type ReturnWhen, type WaitForOptions, type WaitResult } from './future/wait.js'
export { getClock, RealClock, realClock, type Clock, type Timer } from './platform/clock.js'
export { sleep, yieldNow, type SleepOptions } from './core/sleep.js'
export { Timeout } from './core/timeout.js'
export { moveOnAfter, withTimeout, type DeadlineOptions, type DeadlineScope } from './time/deadline.js'
export { AsyncResult } from './sync/async-result.js'
export { Barrier } from './sync/barrier.js'
export { Condition } from './sync/condition.js'
export { Event } from './sync/event.js'
export { Lock } from './sync/lock.js'
export { BoundedSemaphore, Permit, Semaphore } from './sync/semaphore.js'
export { Channel } from './queue/channel.js'
export { JoinableQueue } from './queue/joinable-queue.js'
export { PriorityQueue, type PriorityQueueOptions } from './queue/priority-queue.js'
export { LifoQueue, Queue, type QueueOptions, type ShutdownOptions } from './queue/queue.js'
export {
  Group,
  type GroupEvent,
  type GroupEventsOptions,
  type GroupJoinOptions,
  type GroupListener,
  type GroupSpawnOptions,
  type GroupStats,
} from './pool/group.js'
export { type MapFn, type MapOptions, type Source } from './pool/imap.js'
export { Pool, type PoolOptions, type PoolSpawnOptions, type PoolStats } from './pool/pool.js'
export { type RateLimit } from './pool/rate-limit.js'
export { Executor } from './executor/executor.js'
export {
  type ExecutorMapOptions,
  type ExecutorOptions,
  type ExecutorShutdownOptions,
  type ExecutorStats,
  type SubmitOptions,
  type WorkerStats,
} from './executor/executor-options.js'
export { type Quantiles } from './executor/histogram.js'
export { JobFuture } from './executor/job-future.js'
export { ProcessPoolExecutor, type ProcessPoolOptions } from './executor/process-pool.js'
export { ThreadPoolExecutor, type ThreadPoolOptions } from './executor/thread-pool.js'
export { defaultExecutor, shutdownDefaultExecutor, toThread } from './executor/to-thread.js'
// What a task module uses (`defineTask`, `jobSignal`, `SharedQueue`, ...) is `verdant/worker`.
export * from './worker.js'
export {
  ActorNotFoundError,
  ActorStoppedError,
  AskTimeoutError,
  MailboxFullError,
  NodeUnreachableError,
  PayloadTooLargeError,
  RestartIntensityError,
} from './errors.js'
export { Actor, type ActorClass } from './actor/actor.js'
export {
  PoisonPill,
  type ActorRef,
  type AnyActorRef,
  type AskOptions,
  type AskReply,
  type BackpressureRef,
} from './actor/actor-ref.js'
export {
  behavior,
  receive,
  Behavior,
  type BehaviorHooks,
  type Handler,
  type Next,
  type SetupResult,
} from './actor/behavior.js'
export { type ActorContext } from './actor/context.js'
export { DeadLetters, type DeadLetter, type DeadLetterReason } from './actor/dead-letters.js'
export { consoleSink, type ActorLogger, type LogLevel, type LogRecord, type LogSink } from './actor/logger.js'
export { type MailboxOptions, type OverflowPolicy } from './actor/mailbox.js'
export {
  consistentHash,
  ConsistentHash,
  groupRouter,
  poolRouter,
  type GroupRouterOptions,
  type PoolRouterOptions,
  type Routing,
} from './actor/router.js'
export {
  type ActorDef,
  type BackpressureSpawn,
  type ChildSpawnOptions,
  type SpawnOptions as ActorSpawnOptions,
} from './actor/spawn-options.js'
export {
  Backoff,
  restartWithBackoff,
  type BackoffOptions,
  type Directive,
  type RestartType,
  type Strategy,
  type SupervisionOptions,
  type SupervisorOptions,
} from './actor/supervision.js'
export { ActorSystem, type ActorInfo, type ActorSystemOptions, type ShutdownReport } from './actor/system.js'
export { Terminated, type TerminatedReason } from './actor/terminated.js'
export { TimerScheduler } from './actor/timers.js'
