/**
 * Key-less verification of a sealed session, one blob at a time (memory bounded by one chunk): each blob against
 * its CID, then all leaf hashes against the manifest's Merkle root. The caller reads blobs; this only judges them.
 */
import type { CID } from 'multiformats/cid'
import { blobCid } from './cid.js'
import { leafHash, merkleRoot } from './merkle.js'
import { equalBytes, toHex } from './bytes.js'
import type { Manifest } from './manifest.js'
import type { SessionErrorCode } from './errors.js'

export interface ChunkReport {
  index: number
  cid: string
  ok: boolean
  size?: number
  code?: SessionErrorCode
  error?: string
}

export interface SessionReport {
  sessionId: string
  ok: boolean
  chunks: ChunkReport[]
  merkleRoot: string
  merkleOk: boolean
  errors: string[]
}

export class SessionVerifier {
  private readonly leaves: Array<Uint8Array | undefined>
  private readonly reports: ChunkReport[] = []
  private readonly extra: string[] = []
  private readonly byCid = new Map<string, number>()

  constructor (private readonly manifest: Manifest) {
    this.leaves = new Array(manifest.chunkCount).fill(undefined)
    manifest.chunks.forEach((cid, i) => this.byCid.set(cid.toString(), i))
  }

  /** Judges the blob found at position `index` (undefined: it is missing). */
  check (index: number, blob: Uint8Array | undefined): ChunkReport {
    return blob === undefined ? this.record(index, undefined) : this.record(index, { size: blob.length, cid: blobCid(blob), leaf: leafHash(blob) })
  }

  /** The same judgement from a blob's hashes computed elsewhere (a worker thread that also decrypted it). */
  record (index: number, found: { size: number, cid: CID, leaf: Uint8Array } | undefined): ChunkReport {
    const expected: CID = this.manifest.chunks[index]
    const report: ChunkReport = { index, cid: expected.toString(), ok: false }
    if (found === undefined) {
      report.code = 'missing-chunk'
      report.error = `chunk ${index}: missing`
    } else {
      report.size = found.size
      const actual = found.cid
      if (actual.equals(expected)) {
        report.ok = true
        this.leaves[index] = found.leaf
      } else {
        const other = this.byCid.get(actual.toString())
        report.code = 'cid-mismatch'
        report.error = other === undefined
          ? `chunk ${index}: blob does not match its CID ${report.cid} (altered or truncated)`
          : `chunk ${index}: blob is chunk ${other}'s (chunks out of order)`
      }
    }
    this.reports[index] = report
    return report
  }

  /** A blob found beyond chunkCount (or under a name the layout does not know). */
  extraBlob (name: string): void {
    this.extra.push(name)
  }

  finish (): SessionReport {
    const errors: string[] = []
    for (let i = 0; i < this.manifest.chunkCount; i++) {
      const r = this.reports[i] ?? this.check(i, undefined)
      if (!r.ok && r.error !== undefined) errors.push(r.error)
    }
    for (const name of this.extra) errors.push(`extra chunk '${name}': not listed in the manifest`)
    let merkleOk = false
    if (this.leaves.every((l) => l !== undefined)) {
      merkleOk = equalBytes(merkleRoot(this.leaves as Uint8Array[]), this.manifest.merkleRoot)
      if (!merkleOk) errors.push('Merkle root of the chunks does not match the manifest')
    } else {
      errors.push('Merkle root not checked: not every chunk is present and intact')
    }
    return {
      sessionId: this.manifest.sessionId,
      ok: errors.length === 0,
      chunks: this.reports.slice(0, this.manifest.chunkCount),
      merkleRoot: toHex(this.manifest.merkleRoot),
      merkleOk,
      errors
    }
  }
}
