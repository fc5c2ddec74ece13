/** The API's OpenAPI 3.1 document, served at /api/v1/openapi.json and checked in as docs/openapi.json (a test compares them). */
import { LUCID_VERSION } from '../version.js'

const error = { $ref: '#/components/schemas/Error' }
const json = (schema: object): object => ({ 'application/json': { schema } })
const errors = (...codes: number[]): Record<string, object> => Object.fromEntries(codes.map((c) => [String(c), { description: ({ 400: 'bad request', 401: 'no or malformed admin token', 403: 'wrong admin token, or no key for the session', 404: 'unknown session', 413: 'upload over api.maxUploadBytes', 415: 'wrong content type' } as Record<number, string>)[c], content: json(error) }]))
const idParam = { name: 'id', in: 'path', required: true, description: 'session ID (lower-case UUIDv4)', schema: { type: 'string', format: 'uuid' } }
const token = [{ adminToken: [] }]

const session = {
  type: 'object',
  properties: {
    sessionId: { type: 'string' },
    source: { type: 'string', enum: ['announcement', 'state'], description: 'learned from a gossip announcement (or put here), or only from the session state (CRDT): then addrs is empty and storedBytes 0 (unknown)' },
    manifest: { type: 'string', description: 'CID of the signed manifest (dag-cbor)' },
    merkleRoot: { type: 'string', description: 'hex' },
    chunkCount: { type: 'integer' },
    storedBytes: { type: 'integer' },
    recorder: { type: 'string', description: 'recorder public key, hex' },
    origin: { type: 'string', description: 'peer ID of the node that sealed it' },
    addrs: { type: 'array', items: { type: 'string' } },
    issuedAt: { type: 'integer' },
    receivedAt: { type: 'integer' },
    held: { type: 'boolean', description: 'verified and pinned on this node' },
    holders: { type: 'array', items: { type: 'string' }, description: 'live members known to hold it (heartbeats)' },
    desired: { type: 'array', items: { type: 'string' }, description: 'the R members rendezvous hashing selects' },
    replication: { type: 'integer' },
    state: { type: 'string', enum: ['replicated', 'under-replicated', 'fetching'] },
    crdt: {
      type: ['object', 'null'],
      description: 'the session state every node converges to (docs/crdt.md); null until this node\'s state knows the session',
      properties: {
        status: { type: ['string', 'null'], enum: ['recording', 'sealed', 'replicated', 'anchored', 'archived', null] },
        recorder: { type: ['string', 'null'], description: 'peer ID of the recording node' },
        holders: { type: 'array', items: { type: 'string' }, description: 'peer IDs that say they hold a replica' },
        anchors: {
          type: 'array',
          description: 'anchor transactions in LucidAnchors, by the node that sent them',
          items: {
            type: 'object',
            properties: {
              tx: { type: 'string', description: 'transaction hash' },
              chainId: { type: 'integer' },
              block: { type: 'integer', description: 'the block that first included it (a reorg before finality can move it)' },
              at: { type: 'integer', description: 'when it was recorded (ms since the epoch)' },
              by: { type: 'string', description: 'peer ID of the anchoring node' },
              final: {
                type: ['object', 'null'],
                description: 'the block it is in once final on the anchoring node\'s chain; null until then',
                properties: { block: { type: 'integer' }, blockHash: { type: 'string' }, at: { type: 'integer' } }
              }
            }
          }
        },
        incidents: { type: 'array', items: { type: 'object' } },
        duplicateClaims: { type: 'array', items: { type: 'string' }, description: 'other peers claiming the same session ID' }
      }
    }
  }
}

const count = { type: 'integer', minimum: 0 }

const status = {
  type: 'object',
  required: ['peerId', 'addrs', 'uptimeSeconds', 'peers', 'members', 'sessionsKnown', 'sessionsHeld', 'storedBytes', 'replication', 'replicationDeficit', 'sessionsRetained', 'fetching', 'chain'],
  additionalProperties: false,
  properties: {
    peerId: { type: 'string' },
    addrs: { type: 'array', items: { type: 'string' }, description: 'listening multiaddrs, with /p2p/<peerId>' },
    uptimeSeconds: count,
    peers: { ...count, description: 'connected libp2p peers' },
    members: { ...count, description: 'swarm members known from their heartbeats' },
    sessionsKnown: count,
    sessionsHeld: { ...count, description: 'verified and pinned here' },
    storedBytes: count,
    replication: { ...count, description: 'R: holders each session should have' },
    replicationDeficit: { ...count, description: 'missing replicas over the sessions this node knows' },
    sessionsRetained: { ...count, description: 'sessions kept although no longer desired here (the chain still owes their storage proofs)' },
    fetching: { type: 'array', items: { type: 'string' }, description: 'session IDs being replicated now' },
    chain: {
      type: ['object', 'null'],
      description: 'null when the node does not run the chain',
      required: ['chainId', 'head', 'headSlot', 'finalized', 'syncing', 'rpc', 'account', 'anchors'],
      additionalProperties: false,
      properties: {
        chainId: count,
        head: count,
        headSlot: count,
        finalized: count,
        syncing: { type: ['object', 'null'], description: 'a catch-up under way: from, at and target block numbers', properties: { from: count, at: count, target: count } },
        rpc: { type: 'string', description: 'the Ethereum JSON-RPC URL' },
        account: { type: ['string', 'null'], description: 'the chain account that anchors this node\'s sessions' },
        anchors: {
          type: ['object', 'null'],
          description: 'null without a chain account',
          required: ['pending', 'unsent', 'givenUp'],
          properties: {
            pending: { ...count, description: 'not final yet: followed on chain, or waiting to be sent' },
            unsent: { ...count, description: 'refused by the node (e.g. no LUCID for gas yet), sent again every 5 s' },
            givenUp: { ...count, description: 'lost twice; their registration still looked for' }
          }
        }
      }
    }
  }
}

const peer = {
  type: 'object',
  required: ['peerId', 'addrs', 'connected', 'member', 'score', 'held'],
  additionalProperties: false,
  properties: {
    peerId: { type: 'string' },
    addrs: { type: 'array', items: { type: 'string' } },
    connected: { type: 'boolean' },
    member: { type: 'boolean', description: 'a swarm member (heartbeats seen within the grace period)' },
    lastHeartbeat: { type: 'integer', description: 'ms since the epoch' },
    score: { type: 'number', description: 'its gossipsub score here (docs/swarm.md, "Peer scoring")' },
    held: { ...count, description: 'sessions it says it holds' }
  }
}

export function openapiDocument (): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Lucid node operator API', version: LUCID_VERSION, description: 'Bound to 127.0.0.1 by default. Endpoints that change state or return plaintext need the admin token from `lucid init` (file admin.token in the node home). Errors are JSON: {"error": {"code", "message"}}.' },
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'contents of <home>/admin.token' } },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
        Session: session,
        Status: status,
        Peer: peer
      }
    },
    paths: {
      '/healthz': { get: { summary: 'liveness', responses: { 200: { description: 'the process serves requests', content: json({ type: 'object' }) } } } },
      '/readyz': { get: { summary: 'readiness: libp2p started', responses: { 200: { description: 'ready', content: json({ type: 'object' }) }, 503: { description: 'not ready', content: json({ type: 'object' }) } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
      '/api/v1/openapi.json': { get: { summary: 'this document', responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } } } },
      '/api/v1/status': { get: { summary: 'node status', responses: { 200: { description: 'peer ID, addresses, peers, members, sessions, replication deficit, the chain', content: json({ $ref: '#/components/schemas/Status' }) } } } },
      '/api/v1/peers': { get: { summary: 'connected peers and swarm members, with gossipsub scores', responses: { 200: { description: 'peers', content: json({ type: 'object', required: ['peers'], properties: { peers: { type: 'array', items: { $ref: '#/components/schemas/Peer' } } } }) } } } },
      '/api/v1/sessions': {
        get: { summary: 'sessions known to this node', responses: { 200: { description: 'sessions', content: json({ type: 'object', properties: { sessions: { type: 'array', items: { $ref: '#/components/schemas/Session' } } } }) } } },
        post: {
          summary: 'seal a recording (streamed body), store, pin and announce it',
          security: token,
          parameters: [
            { name: 'owner', in: 'query', schema: { type: 'string', maxLength: 256 } },
            { name: 'participants', in: 'query', description: 'comma-separated', schema: { type: 'string' } },
            { name: 'chunkSize', in: 'query', schema: { type: 'integer', minimum: 65536, maximum: 1048576 } },
            { name: 'exportKey', in: 'query', description: 'return the session key (base64) in the response', schema: { type: 'boolean' } }
          ],
          requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          responses: {
            201: {
              description: 'sealed and announced',
              content: json({
                type: 'object',
                properties: {
                  sessionId: { type: 'string' },
                  anchor: { type: ['object', 'null'], description: 'the registerSession transaction once the node\'s mempool accepted it ({ tx, submitMs }); null without a chain account or when queued', properties: { tx: { type: 'string' }, submitMs: { type: 'number' } } },
                  anchorQueued: { type: 'boolean', description: 'the node refused the anchor now (e.g. no LUCID for gas yet; its log says why): kept and sent again until accepted' }
                }
              })
            },
            ...errors(400, 401, 403, 413, 415)
          }
        }
      },
      '/api/v1/sessions/{id}': { get: { summary: 'one session, with holders and replication state', parameters: [idParam], responses: { 200: { description: 'session', content: json({ $ref: '#/components/schemas/Session' }) }, ...errors(400, 404) } } },
      '/api/v1/sessions/{id}/content': {
        get: {
          summary: 'fetch (from holders if needed), verify and decrypt; streamed plaintext',
          security: token,
          parameters: [idParam, { name: 'X-Lucid-Session-Key', in: 'header', required: false, description: 'session key, base64 (when this node does not hold it in its keystore)', schema: { type: 'string' } }],
          responses: { 200: { description: 'plaintext; X-Lucid-Plaintext-Size gives its length', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, ...errors(400, 401, 403, 404) }
        }
      },
      '/api/v1/sessions/{id}/announce': { post: { summary: 're-publish the session\'s stored announcement', security: token, parameters: [idParam], responses: { 200: { description: 'published', content: json({ type: 'object' }) }, ...errors(400, 401, 403, 404) } } },
      '/api/v1/gc': { post: { summary: 'delete every block no pin reaches', security: token, responses: { 200: { description: 'blocks deleted', content: json({ type: 'object', properties: { deleted: { type: 'integer' } } }) }, ...errors(401, 403) } } }
    }
  }
}
