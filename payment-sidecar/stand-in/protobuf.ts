// Just enough protobuf to read a TRON transaction's raw_data bytes (java-tron's Transaction.raw and the
// TriggerSmartContract it carries), as a node does before it accepts a transaction.
export interface Field { no: number, wire: number, value: bigint | Uint8Array }

function varint (b: Uint8Array, pos: number): [bigint, number] {
  let out = 0n
  let shift = 0n
  for (;;) {
    if (pos >= b.length) throw new Error('protobuf: truncated varint')
    const byte = b[pos++]
    out |= BigInt(byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return [out, pos]
    shift += 7n
    if (shift > 63n) throw new Error('protobuf: varint too long')
  }
}

export function fields (b: Uint8Array): Field[] {
  const out: Field[] = []
  let pos = 0
  while (pos < b.length) {
    const [key, p1] = varint(b, pos)
    const no = Number(key >> 3n)
    const wire = Number(key & 7n)
    if (wire === 0) { const [v, p2] = varint(b, p1); out.push({ no, wire, value: v }); pos = p2 } else if (wire === 2) {
      const [len, p2] = varint(b, p1)
      const end = p2 + Number(len)
      if (end > b.length) throw new Error('protobuf: truncated bytes field')
      out.push({ no, wire, value: b.subarray(p2, end) }); pos = end
    } else if (wire === 1) { out.push({ no, wire, value: b.subarray(p1, p1 + 8) }); pos = p1 + 8 } else if (wire === 5) { out.push({ no, wire, value: b.subarray(p1, p1 + 4) }); pos = p1 + 4 } else throw new Error(`protobuf: unsupported wire type ${wire}`)
  }
  return out
}

const hex = (v: Uint8Array | bigint | undefined): string => v instanceof Uint8Array ? Buffer.from(v).toString('hex') : ''
const num = (v: Uint8Array | bigint | undefined): number => typeof v === 'bigint' ? Number(v) : 0
const one = (fs: Field[], no: number): Field['value'] | undefined => fs.find((f) => f.no === no)?.value

export interface DecodedTrigger {
  refBlockBytes: string
  refBlockHash: string
  expiration: number
  timestamp: number
  feeLimit: number
  contractType: number
  typeUrl: string
  permissionId: number
  owner: string
  contract: string
  callValue: number
  data: string
  contractCount: number
}

export function decodeTriggerRaw (raw: Uint8Array): DecodedTrigger {
  const top = fields(raw)
  const contracts = top.filter((f) => f.no === 11)
  if (contracts.length !== 1) throw new Error(`expected one contract, found ${contracts.length}`)
  const c = fields(contracts[0].value as Uint8Array)
  const any = fields(one(c, 2) as Uint8Array ?? new Uint8Array())
  const typeUrl = Buffer.from((one(any, 1) as Uint8Array | undefined) ?? new Uint8Array()).toString('utf8')
  const t = fields((one(any, 2) as Uint8Array | undefined) ?? new Uint8Array())
  return {
    refBlockBytes: hex(one(top, 1)),
    refBlockHash: hex(one(top, 4)),
    expiration: num(one(top, 8)),
    timestamp: num(one(top, 14)),
    feeLimit: num(one(top, 18)),
    contractType: num(one(c, 1)),
    typeUrl,
    permissionId: num(one(c, 5)),
    owner: hex(one(t, 1)),
    contract: hex(one(t, 2)),
    callValue: num(one(t, 3)),
    data: hex(one(t, 4)),
    contractCount: contracts.length
  }
}

// ---- encoding (what the node's triggersmartcontract returns), proto3: fields in number order, defaults omitted ----

function encVarint (n: bigint): number[] {
  const out: number[] = []
  do {
    let byte = Number(n & 0x7fn)
    n >>= 7n
    if (n > 0n) byte |= 0x80
    out.push(byte)
  } while (n > 0n)
  return out
}
const key = (no: number, wire: number): number[] => encVarint(BigInt((no << 3) | wire))
const vField = (no: number, v: number | bigint): number[] => BigInt(v) === 0n ? [] : [...key(no, 0), ...encVarint(BigInt(v))]
const bField = (no: number, b: Uint8Array): number[] => b.length === 0 ? [] : [...key(no, 2), ...encVarint(BigInt(b.length)), ...b]
const hexBytes = (h: string): Uint8Array => Buffer.from(h.replace(/^0x/, ''), 'hex')

export function encodeTriggerRaw (t: Omit<DecodedTrigger, 'contractType' | 'typeUrl' | 'contractCount'>): Uint8Array {
  const trigger = Uint8Array.from([...bField(1, hexBytes(t.owner)), ...bField(2, hexBytes(t.contract)), ...vField(3, t.callValue), ...bField(4, hexBytes(t.data))])
  const any = Uint8Array.from([...bField(1, Buffer.from('type.googleapis.com/protocol.TriggerSmartContract')), ...bField(2, trigger)])
  const contract = Uint8Array.from([...vField(1, 31), ...bField(2, any), ...vField(5, t.permissionId)])
  return Uint8Array.from([
    ...bField(1, hexBytes(t.refBlockBytes)), ...bField(4, hexBytes(t.refBlockHash)), ...vField(8, t.expiration),
    ...bField(11, contract), ...vField(14, t.timestamp), ...vField(18, t.feeLimit)
  ])
}
