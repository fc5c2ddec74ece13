/**
 * Seal signatures: the proposing entity's members sign the EVM block hash (Ed25519, the same keys and member
 * indexes as the PoOT header signatures). Checked like PoOT's header signatures: strictly increasing member
 * indexes, known signers, at least `threshold` of them.
 */
import { verifySignature, type Entity, type MemberSignature, type NodeKey } from '../../../protocols/poot/index.js'

export function sealBlock (blockHash: Uint8Array, signers: ReadonlyArray<{ member: number, key: NodeKey }>): MemberSignature[] {
  return [...signers].sort((a, b) => a.member - b.member).map(({ member, key }) => ({ member, sig: key.sign(blockHash) }))
}

export function checkSeal (blockHash: Uint8Array, seal: readonly MemberSignature[], entity: Entity): string | null {
  for (let i = 1; i < seal.length; i++) if (seal[i].member <= seal[i - 1].member) return 'seal-unsorted-signatures'
  for (const s of seal) {
    const member = entity.members[s.member]
    if (member === undefined) return 'seal-unknown-signer'
    if (!verifySignature(member, blockHash, s.sig)) return 'seal-bad-signature'
  }
  return seal.length < entity.threshold ? 'seal-below-threshold' : null
}
