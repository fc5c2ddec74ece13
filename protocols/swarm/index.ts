/** The swarm protocol, pure: message formats and validation, replica selection, repair decisions. */
export * from './constants.js'
export * from './announcement.js'
export * from './heartbeat.js'
export * from './replicas.js'
export * from './repair.js'
export { FieldError } from './codec.js'
export * from './state-seal.js'
