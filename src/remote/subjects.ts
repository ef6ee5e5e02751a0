/**
 * The NATS subjects of a cluster, all under one prefix made from the actor system's name.
 *
 * Two systems with different names on one NATS server share no subject, so neither can see the
 * other's messages; an operator can grant a node exactly the subjects listed in docs/design.md. A
 * name is escaped into one subject token injectively (`.`, `*`, `>` and spaces would otherwise
 * split or widen a subject, and two names must never meet in one token).
 *
 * @module
 */

/** The subjects one node uses. @internal */
export interface Subjects {
  /** `verdant.<system>`: every subject of the cluster starts with it. */
  readonly prefix: string
  /** Heartbeats and membership news of every node. */
  readonly members: string
  /** Frames for actors on node `id` (tells, asks, watches, replies by path). */
  node(id: string): string
  /** Where the answer to ask `askId` of node `id` goes. */
  reply(id: string, askId: number): string
  /** What node `id` subscribes to for the answers of its asks. */
  replies(id: string): string
  /** The lookup of a registered name. */
  name(name: string): string
  /** The queue-group subject of a service (one instance gets each message). */
  service(name: string): string
  /** The subject every instance of a service hears (broadcast). */
  serviceAll(name: string): string
  /** The NATS client's inbox prefix of node `id` (answers to its lookups). */
  inbox(id: string): string
}

/** The subjects of the cluster of the system called `system`. @internal */
export function subjectsOf(system: string): Subjects {
  const prefix = `verdant.${escapeToken(system)}`
  return {
    prefix,
    members: `${prefix}.members`,
    node: (id) => `${prefix}.node.${id}`,
    reply: (id, askId) => `${prefix}.reply.${id}.${String(askId)}`,
    replies: (id) => `${prefix}.reply.${id}.*`,
    name: (name) => `${prefix}.name.${escapeToken(name)}`,
    service: (name) => `${prefix}.svc.${escapeToken(name)}`,
    serviceAll: (name) => `${prefix}.all.${escapeToken(name)}`,
    inbox: (id) => `${prefix}.inbox.${id}`,
  }
}

/**
 * `s` as one subject token: letters, digits, `-` and `_` stay; any other UTF-16 unit becomes `~`
 * and four hex digits, `~` itself included, so the mapping is one-to-one. @internal
 */
export function escapeToken(s: string): string {
  if (s === '') return '~'
  return s.replace(/[^A-Za-z0-9_-]/g, (c) => `~${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** A node id is used as a subject token as it is: it must be one already. @internal */
export function isToken(s: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(s)
}
