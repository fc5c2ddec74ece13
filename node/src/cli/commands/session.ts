import { Command } from 'commander'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Readable } from 'node:stream'
import { apiFetch, resolveApi } from '../api-client.js'
import { readKeyFile, writeKeyFile } from '../key-file.js'
import { parseChunkSizeFlag, parseSessionIdFlag } from '../parse.js'
import { UsageError } from '../usage-error.js'
import { createProgress, type Progress } from '../progress.js'
import { writeFileAtomicFrom } from '../../home/atomic-write.js'

interface Common { home?: string, api?: string, json?: boolean }
const collect = (value: string, prev: string[] = []): string[] => [...prev, value]
const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`
const short = (p: string): string => `…${p.slice(-8)}`

/** The same bytes, counted into a progress bar as they pass. */
async function * counted (source: AsyncIterable<Uint8Array>, progress: Progress): AsyncGenerator<Uint8Array> {
  let done = 0
  for await (const piece of source) { done += piece.length; progress.update(done); yield piece }
}

function common (cmd: Command): Command {
  return cmd.option('--home <dir>', 'node home directory (default: $LUCID_HOME, else ~/.lucid)')
    .option('--api <url>', 'node API URL (default: the running node of --home)')
}

export function sessionCommand (): Command {
  const cmd = new Command('session').description('sessions on the swarm: put, get, ls, show')

  cmd.addCommand(common(new Command('put'))
    .description('seal a recording on the node, store and pin it, announce it to the swarm')
    .argument('<file>', "the recording, or '-' for stdin")
    .option('--export-key <file>', 'write the session key to this file (0600, never overwritten): needed to get the session from another node')
    .option('--chunk-size <size>', 'plaintext chunk size (64KiB–16MiB; default from the node config)', parseChunkSizeFlag)
    .option('--owner <name>', 'owner of the recording')
    .option('--participant <name>', 'a participant (repeatable)', collect)
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: Common & { exportKey?: string, chunkSize?: number, owner?: string, participant?: string[] }) => {
      const t = await resolveApi(opts)
      if (opts.exportKey !== undefined) {
        const exists = await stat(opts.exportKey).then(() => true, () => false)
        if (exists) throw new UsageError(`--export-key ${opts.exportKey} already exists; it is never overwritten`, 1)
      }
      let source: Readable
      let size: number | undefined
      if (file === '-') source = process.stdin
      else {
        const s = await stat(file).catch(() => undefined)
        if (s === undefined || !s.isFile()) throw new UsageError(`cannot read ${file}: no such file`, 1)
        source = createReadStream(file)
        size = s.size
      }
      // the node seals as it receives, so the upload's progress is the seal's
      const progress = createProgress('sealing on the node', size, process.stderr.isTTY === true && opts.json !== true)
      const body = Readable.from(counted(source, progress))
      const q = new URLSearchParams()
      if (opts.chunkSize !== undefined) q.set('chunkSize', String(opts.chunkSize))
      if (opts.owner !== undefined) q.set('owner', opts.owner)
      if (opts.participant !== undefined) q.set('participants', opts.participant.join(','))
      if (opts.exportKey !== undefined) q.set('exportKey', 'true')
      const res = await apiFetch(t, `/api/v1/sessions?${q.toString()}`, {
        method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Readable.toWeb(body) as ReadableStream, duplex: 'half'
      }, true)
      progress.finish()
      const r = await res.json() as { sessionId: string, sessionKey?: string, chunkCount: number, plaintextSize: number, storedBytes: number, manifestCid: string, merkleRoot: string, announcedTo: number, origin: string, anchor?: { tx: string, submitMs: number } | null, anchorQueued?: boolean }
      if (opts.exportKey !== undefined && r.sessionKey !== undefined) await writeKeyFile(opts.exportKey, r.sessionId, Buffer.from(r.sessionKey, 'base64'))
      delete r.sessionKey
      if (opts.json === true) { process.stdout.write(JSON.stringify(r) + '\n'); return }
      process.stdout.write([
        `session ${r.sessionId} sealed on ${r.origin}`,
        `  ${r.chunkCount} chunks, ${mb(r.plaintextSize)} in, ${mb(r.storedBytes)} stored`,
        `  manifest ${r.manifestCid}`,
        `  announced to ${r.announcedTo} peers${opts.exportKey !== undefined ? `; key written to ${opts.exportKey}` : ''}`,
        ...(r.anchor != null ? [`  anchor ${r.anchor.tx} accepted in ${Math.round(r.anchor.submitMs)} ms (LucidAnchors)`] : []),
        ...(r.anchorQueued === true ? ['  anchor not accepted by the node now (its log says why): kept and sent again until it is'] : [])
      ].join('\n') + '\n')
    }))

  cmd.addCommand(common(new Command('get'))
    .description('fetch a session from the swarm (through the node), verify it and decrypt it to a file')
    .argument('<id>', 'session ID', parseSessionIdFlag)
    .requiredOption('--out <file>', "where to write the plaintext ('-' for stdout); never overwritten")
    .option('--key <file>', 'the session key file (from put --export-key); not needed on the node that sealed it')
    .action(async (id: string, opts: Common & { out: string, key?: string }) => {
      const t = await resolveApi(opts)
      const headers: Record<string, string> = {}
      if (opts.key !== undefined) headers['x-lucid-session-key'] = Buffer.from(await readKeyFile(opts.key, id)).toString('base64')
      const toStdout = opts.out === '-'
      const target = toStdout ? '' : resolve(opts.out)
      if (!toStdout && await stat(target).then(() => true, () => false)) throw new UsageError(`--out ${opts.out} already exists; it is never overwritten`, 1)
      const res = await apiFetch(t, `/api/v1/sessions/${id}/content`, { headers }, true)
      const expected = Number(res.headers.get('x-lucid-plaintext-size'))
      if (res.body === null) throw new UsageError('the node sent no content', 1)
      let got = 0
      const progress = createProgress(`fetching ${id.slice(0, 8)}…`, expected > 0 ? expected : undefined, process.stderr.isTTY === true && !toStdout)
      const content = counted(res.body as unknown as AsyncIterable<Uint8Array>, progress)
      if (toStdout) {
        for await (const piece of content) {
          got += piece.length
          if (!process.stdout.write(piece)) await new Promise((resolve) => process.stdout.once('drain', resolve))
        }
      } else {
        try {
          await writeFileAtomicFrom(target, async (write) => {
            for await (const piece of content) { got += piece.length; await write(piece) }
            if (got !== expected) throw new UsageError(`the node stopped after ${got} of ${expected} bytes (verification failed on the node, or it went away)`, 1)
          })
        } catch (err) {
          const e = err as Error
          throw e instanceof UsageError ? e : new UsageError(`fetching session ${id} failed after ${got} bytes: ${e.message}`, 1)
        }
        progress.finish()
        process.stderr.write(`session ${id}: ${got} bytes verified and decrypted → ${target}\n`)
      }
      if (got !== expected) throw new UsageError(`the node stopped after ${got} of ${expected} bytes`, 1)
    }))

  cmd.addCommand(common(new Command('ls'))
    .description('sessions known to the node, with where they are held')
    .option('--json', 'print JSON')
    .action(async (opts: Common) => {
      const t = await resolveApi(opts)
      const r = await (await apiFetch(t, '/api/v1/sessions')).json() as { sessions: Array<{ sessionId: string, held: boolean, holders: string[], replication: number, state: string, storedBytes: number, origin: string, crdt?: { status: string | null } | null }> }
      if (opts.json === true) { process.stdout.write(JSON.stringify(r.sessions) + '\n'); return }
      if (r.sessions.length === 0) { process.stdout.write('no sessions\n'); return }
      for (const s of r.sessions) {
        process.stdout.write(`${s.sessionId}  ${(s.crdt?.status ?? '-').padEnd(10)}  ${mb(s.storedBytes).padStart(9)}  ${s.holders.length}/${s.replication} holders  ${s.state}${s.held ? '  (held here)' : ''}\n`)
      }
    }))

  cmd.addCommand(common(new Command('show'))
    .description('one session: manifest, holders, desired holders and replication state')
    .argument('<id>', 'session ID', parseSessionIdFlag)
    .option('--json', 'print JSON')
    .action(async (id: string, opts: Common) => {
      const t = await resolveApi(opts)
      const s = await (await apiFetch(t, `/api/v1/sessions/${id}`)).json() as Record<string, any>
      if (opts.json === true) { process.stdout.write(JSON.stringify(s) + '\n'); return }
      // the anchoring node records the block that first included its transaction, then the final one (a reorg before
      // finality can move the transaction to another block)
      const anchors = ((s.crdt?.anchors ?? []) as Array<{ tx: string, block: number, final: { block: number } | null }>)
        .map((a) => `; anchored in ${a.tx} (${a.final === null
          ? `block ${a.block}, not final yet`
          : `block ${a.final.block}, final${a.final.block !== a.block ? `; first included in block ${a.block}` : ''}`})`).join('')
      process.stdout.write([
        `session  ${s.sessionId as string}`,
        `manifest ${s.manifest as string}`,
        `merkle   ${s.merkleRoot as string}`,
        `chunks   ${s.chunkCount as number}, ${mb(s.storedBytes as number)} stored`,
        `origin   ${s.origin as string}`,
        `holders  ${(s.holders as string[]).map(short).join(' ') || '(none)'}  (${(s.holders as string[]).length}/${s.replication as number}, ${s.state as string})`,
        `desired  ${(s.desired as string[]).map(short).join(' ')}`,
        `here     ${s.held === true ? 'held (verified, pinned)' : 'not held'}`,
        // Session state (CRDT, docs/crdt.md): the swarm-wide view every node converges to.
        `status   ${(s.crdt?.status as string | undefined) ?? '(not in the session state yet)'}${s.crdt?.recorder !== undefined && s.crdt?.recorder !== null ? `, recorded by ${short(s.crdt.recorder as string)}` : ''}`,
        `state    holders ${((s.crdt?.holders ?? []) as string[]).map(short).join(' ') || '(none)'}; ${((s.crdt?.incidents ?? []) as unknown[]).length} incident(s)${anchors}`
      ].join('\n') + '\n')
    }))
  return cmd
}
