/**
 * `verdant/remote`: actor systems joined into a cluster over NATS.
 *
 * This entry point is the only code of verdant that loads the NATS client; `import 'verdant'`
 * never does.
 *
 * @module
 */
export { ClusterJoinError, ClusterNode, joinCluster, type LookupOptions } from './node.js'
export type { ClusterOptions, NatsConnectOptions } from './cluster-options.js'
export type { Member, MemberEvent, MemberStatus } from './membership.js'
export { RemoteActorRef, ServiceRef } from './remote-ref.js'
export { RemoteChildLost, type RemoteChildOptions } from './remote-child.js'
export type { Provided } from './provided.js'
export { ClusterExecutor, connectExecutor } from './cluster-executor.js'
export { JobFailedError } from './job-failed-error.js'
export type {
  ClusterExecutorOptions,
  ClusterExecutorStats,
  ClusterSubmitOptions,
  ClusterWorkerStats,
  DeadJob,
} from './job-options.js'
export { JobServer, serveJobs, type JobServerStats, type ServeJobsOptions } from './job-worker.js'
export {
  CodecError,
  jsonCodec,
  TypeRegistry,
  type Codec,
  type JsonCodecOptions,
  type RefCodec,
  type TypeCodecOptions,
} from './codec.js'
