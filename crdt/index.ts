/** Session state as Yjs CRDT documents: schema, envelopes, permission checks, state, views, sync messages, persistence. */
export * from './constants.js'
export * from './schema.js'
export * from './envelope.js'
export { checkUpdate, type CheckVerdict } from './validate.js'
export { AuthorWriter } from './writer.js'
export * from './state.js'
export * from './views.js'
export * from './sync.js'
export * from './persistence.js'
export * from './session-flow.js'
/** The Yjs module crdt/ uses, for tests that build hand-made updates (a second copy of Yjs breaks its constructor checks). */
export * as Y from 'yjs'
